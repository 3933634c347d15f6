import { createJoseAuthorizer } from './jose-authorizer';
import { createPeerLambda } from './peer-lambda';

/** Cold-start bundle entry: the jose-based peer as a Lambda module. */
export const handler = createPeerLambda(createJoseAuthorizer);
