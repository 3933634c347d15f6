import { ArnFormat, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { NON_CANONICAL_PATH_REGEX } from '../lambdas/shared/contracts/canonical-path';
import { isIpv6Cidr, type WafConfig } from './config/api-config';

/**
 * Headers WAF never shows: redacted in its logs and replaced by `REDACTED` in everything else it
 * stores (sampled requests, rule match details) through the web ACL's data protection. Tokens, API
 * keys, cookies and request signatures.
 */
export const WAF_REDACTED_HEADERS = [
  'authorization',
  'x-api-key',
  'cookie',
  'signature',
  'signature-input',
] as const;

/** How much of the request headers API Gateway forwards to WAF for inspection (bytes). */
export const WAF_HEADER_INSPECTION_BYTES = 8 * 1024;

/** API Gateway body inspection limit of WAF without an association config (bytes). */
const DEFAULT_BODY_INSPECTION_BYTES = 16 * 1024;

/** The managed rule group that flags bodies over 8 KB; our own body rule takes over above that. */
const COMMON_RULE_SET_BODY_RULE = 'SizeRestrictions_BODY';

/** Properties of {@link EdgeWaf}. */
export interface EdgeWafProps {
  /** The validated `api.waf` section. */
  readonly config: WafConfig;
  /** Largest `Authorization` header let through, in bytes. */
  readonly maxAuthorizationHeaderBytes: number;
  /** ARN of the REST API stage to protect. */
  readonly stageArn: string;
  /** Retention of the WAF log group. */
  readonly logRetention: logs.RetentionDays;
}

/** Names of the rules of the web ACL, in evaluation order; also their CloudWatch metric suffixes. */
export const WAF_RULE_NAMES = {
  ipDenyList: 'IpDenyList',
  ipAllowList: 'IpAllowList',
  geo: 'Geo',
  rateLimit: 'RateLimitPerIp',
  nonCanonicalPath: 'NonCanonicalPath',
  headersSize: 'HeadersSize',
  authorizationHeaderSize: 'AuthorizationHeaderSize',
  bodySize: 'BodySize',
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  anonymousIp: 'AWSManagedRulesAnonymousIpList',
  common: 'AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  sqli: 'AWSManagedRulesSQLiRuleSet',
} as const;

/**
 * A REGIONAL AWS WAF web ACL on a REST API stage: IP deny/allow lists and geo rules from config, a
 * rate-based rule per IP, non-canonical request paths blocked, size limits on the `Authorization` header and the body (bodies WAF cannot
 * fully inspect are blocked), and the AWS managed rule groups (IP reputation, optional anonymous IP,
 * common, known bad inputs, SQL injection). Logs go to an `aws-waf-logs-*` log group with the
 * `Authorization`, `X-Api-Key` and `Cookie` headers redacted.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-chapter.html
 */
export class EdgeWaf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;
  /** Name of the web ACL (the `WebACL` dimension of WAF metrics). */
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: EdgeWafProps) {
    super(scope, id);
    const { config } = props;
    const prefix = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${prefix}-${name}`,
    });
    const block = { block: {} };
    const addRule = (name: string, statement: wafv2.CfnWebACL.StatementProperty): void => {
      rules.push({
        name,
        priority: rules.length,
        action: block,
        statement,
        visibilityConfig: visibility(name),
      });
    };
    const addManaged = (name: string, excludeBodySize = false): void => {
      rules.push({
        name,
        priority: rules.length,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name,
            ruleActionOverrides: excludeBodySize
              ? [{ name: COMMON_RULE_SET_BODY_RULE, actionToUse: { count: {} } }]
              : undefined,
          },
        },
        visibilityConfig: visibility(name),
      });
    };

    if (config.ipDenyList.length > 0) {
      addRule(WAF_RULE_NAMES.ipDenyList, this.ipMatch('DenyList', config.ipDenyList));
    }
    if (config.ipAllowList.length > 0) {
      addRule(WAF_RULE_NAMES.ipAllowList, {
        notStatement: { statement: this.ipMatch('AllowList', config.ipAllowList) },
      });
    }
    if (config.geo?.allowCountries !== undefined) {
      addRule(WAF_RULE_NAMES.geo, {
        notStatement: { statement: { geoMatchStatement: { countryCodes: config.geo.allowCountries } } },
      });
    } else if (config.geo?.blockCountries !== undefined) {
      addRule(WAF_RULE_NAMES.geo, { geoMatchStatement: { countryCodes: config.geo.blockCountries } });
    }
    addRule(WAF_RULE_NAMES.rateLimit, {
      rateBasedStatement: {
        aggregateKeyType: 'IP',
        limit: config.rateLimitPerIp.limit,
        evaluationWindowSec: config.rateLimitPerIp.windowSeconds,
      },
    });
    // Paths that spell a route's literal segment differently (percent-encoded unreserved characters,
    // empty segments) could be routed to a resource whose Deny their method ARN escapes; see
    // lambdas/shared/contracts/canonical-path.ts.
    addRule(WAF_RULE_NAMES.nonCanonicalPath, {
      regexMatchStatement: {
        fieldToMatch: { uriPath: {} },
        regexString: NON_CANONICAL_PATH_REGEX,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    // WAF sees only the first 8 KB of the headers: a request whose headers are larger is blocked
    // rather than passed on partly inspected (the Authorization size rule below cannot see a header
    // beyond that point either).
    addRule(WAF_RULE_NAMES.headersSize, {
      sizeConstraintStatement: {
        fieldToMatch: {
          headers: { matchPattern: { all: {} }, matchScope: 'ALL', oversizeHandling: 'MATCH' },
        },
        comparisonOperator: 'GT',
        size: WAF_HEADER_INSPECTION_BYTES,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    addRule(WAF_RULE_NAMES.authorizationHeaderSize, {
      sizeConstraintStatement: {
        fieldToMatch: { singleHeader: { Name: 'authorization' } },
        comparisonOperator: 'GT',
        size: props.maxAuthorizationHeaderBytes,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    addRule(WAF_RULE_NAMES.bodySize, {
      sizeConstraintStatement: {
        // Bodies beyond the inspection limit count as a match: never passed on uninspected.
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: config.maxBodyBytes,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    addManaged(WAF_RULE_NAMES.ipReputation);
    if (config.anonymousIpList) addManaged(WAF_RULE_NAMES.anonymousIp);
    addManaged(WAF_RULE_NAMES.common, config.maxBodyBytes > 8192);
    addManaged(WAF_RULE_NAMES.knownBadInputs);
    addManaged(WAF_RULE_NAMES.sqli);

    this.webAclName = prefix;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: prefix,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'API security edge: managed rules, rate limit per IP, size limits',
      rules,
      visibilityConfig: visibility('WebAcl'),
      // Log redaction (below) does not reach sampled requests; data protection covers every output.
      dataProtectionConfig: {
        dataProtections: [
          {
            action: 'SUBSTITUTION',
            field: { fieldType: 'SINGLE_HEADER', fieldKeys: [...WAF_REDACTED_HEADERS] },
          },
        ],
      },
      associationConfig:
        config.maxBodyBytes > DEFAULT_BODY_INSPECTION_BYTES
          ? {
              requestBody: {
                API_GATEWAY: { defaultSizeInspectionLimit: inspectionLimit(config.maxBodyBytes) },
              },
            }
          : undefined,
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    const logGroupName = `aws-waf-logs-${prefix}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: WAF_REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(this.logGroup);
  }

  private ipMatch(name: string, cidrs: readonly string[]): wafv2.CfnWebACL.StatementProperty {
    const v4 = cidrs.filter((c) => !isIpv6Cidr(c));
    const v6 = cidrs.filter((c) => isIpv6Cidr(c));
    const statements: wafv2.CfnWebACL.StatementProperty[] = [];
    if (v4.length > 0) {
      const set = new wafv2.CfnIPSet(this, `${name}V4`, {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV4',
        addresses: v4,
      });
      statements.push({ ipSetReferenceStatement: { arn: set.attrArn } });
    }
    if (v6.length > 0) {
      const set = new wafv2.CfnIPSet(this, `${name}V6`, {
        scope: 'REGIONAL',
        ipAddressVersion: 'IPV6',
        addresses: v6,
      });
      statements.push({ ipSetReferenceStatement: { arn: set.attrArn } });
    }
    const [only] = statements;
    if (statements.length === 1 && only !== undefined) return only;
    return { orStatement: { statements } };
  }
}

function inspectionLimit(bytes: number): string {
  if (bytes <= 32 * 1024) return 'KB_32';
  if (bytes <= 48 * 1024) return 'KB_48';
  return 'KB_64';
}
