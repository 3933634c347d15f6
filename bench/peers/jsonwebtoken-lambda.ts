import { createJsonwebtokenAuthorizer } from './jsonwebtoken-authorizer';
import { createPeerLambda } from './peer-lambda';

/** Cold-start bundle entry: the jsonwebtoken-based peer as a Lambda module. */
export const handler = createPeerLambda(createJsonwebtokenAuthorizer);
