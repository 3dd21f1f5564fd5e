/**
 * The deploy rehearsal: rules that AWS or the AWS provider enforce when `pulumi up` creates or
 * updates resources, checked on the dependency graph the engine would follow (dev/snapshot.ts).
 * Mocks accept any order and any value; AWS does not. Each rule names its source.
 *
 * How the graph is read: a resource waits for every URN in its registration's dependencies (its
 * explicit `dependsOn`, which the SDK expands from a component to its children, and every
 * resource its inputs came from), and so, transitively, for what those wait for. `waitsFor(a, b)`
 * answers whether `b` is created (or updated) before `a` starts.
 *
 * What this cannot see: AWS's eventual consistency after a create (IAM especially; the provider
 * retries those), account quotas and limits, values known only in AWS (an SES identity's
 * verification, a hosted zone's delegation), and anything outside this program.
 */
import { createHash } from "node:crypto";
import type { Recorded } from "./pulumi-mocks";
import type { Snapshot } from "./snapshot";

export class StackGraph {
  readonly resources: readonly Recorded[];
  readonly config: Readonly<Record<string, string>>;
  private readonly byUrn = new Map<string, Recorded>();
  private readonly children = new Map<string, Recorded[]>();
  private readonly closures = new Map<string, Set<string>>();

  constructor(snapshot: Pick<Snapshot, "resources" | "config">) {
    this.resources = snapshot.resources;
    this.config = snapshot.config;
    for (const r of snapshot.resources) {
      this.byUrn.set(r.options.urn, r);
      const siblings = this.children.get(r.options.parent) ?? [];
      siblings.push(r);
      this.children.set(r.options.parent, siblings);
    }
  }

  ofType(type: string): Recorded[] {
    return this.resources.filter((r) => r.type === type);
  }

  get(urn: string): Recorded | undefined {
    return this.byUrn.get(urn);
  }

  /** A URN, or a component's URN expanded to every resource under it. */
  private expand(urn: string): string[] {
    const r = this.byUrn.get(urn);
    if (!r || r.custom) return [urn];
    return [urn, ...(this.children.get(urn) ?? []).flatMap((child) => this.expand(child.options.urn))];
  }

  /** Every URN `r` waits for, directly or through what it waits for. */
  private closure(r: Recorded): Set<string> {
    const cached = this.closures.get(r.options.urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...r.options.dependsOn, ...Object.values(r.options.propertyDependencies).flat()].flatMap((u) => this.expand(u));
    while (stack.length > 0) {
      const urn = stack.pop() as string;
      if (seen.has(urn)) continue;
      seen.add(urn);
      const dep = this.byUrn.get(urn);
      if (dep)
        stack.push(...[...dep.options.dependsOn, ...Object.values(dep.options.propertyDependencies).flat()].flatMap((u) => this.expand(u)));
    }
    this.closures.set(r.options.urn, seen);
    return seen;
  }

  /** Whether `b` exists before `a` is created. */
  waitsFor(a: Recorded, b: Recorded): boolean {
    return this.closure(a).has(b.options.urn);
  }

  /** The resources one input of `r` came from. */
  inputFrom(r: Recorded, input: string): Recorded[] {
    return (r.options.propertyDependencies[input] ?? []).flatMap((urn) => (this.byUrn.get(urn) ? [this.byUrn.get(urn) as Recorded] : []));
  }

  /** The region a resource is created in: its explicit provider's, else the stack's `aws:region`. */
  regionOf(r: Recorded): string {
    if (r.options.provider) {
      const urn = r.options.provider.slice(0, r.options.provider.lastIndexOf("::"));
      const provider = this.byUrn.get(urn);
      if (provider?.inputs.region) return String(provider.inputs.region);
    }
    return String(r.inputs.region ?? this.config["aws:region"]);
  }

  setting(name: string): string | undefined {
    return this.config[`tasklane:${name}`];
  }
}

export interface Finding {
  /** How many resources the rule looked at (a rule that saw nothing proves nothing). */
  readonly checked: number;
  readonly problems: string[];
}

export interface DeployRule {
  readonly id: string;
  /** The rule, in one sentence. */
  readonly rule: string;
  /** Where AWS or the provider says so (documentation, provider source, public issue). */
  readonly sources: readonly string[];
  check(graph: StackGraph): Finding;
}

const T = {
  fn: "aws:lambda/function:Function",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  permission: "aws:lambda/permission:Permission",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  stage: "aws:apigateway/stage:Stage",
  account: "aws:apigateway/account:Account",
  restApi: "aws:apigateway/restApi:RestApi",
  deployment: "aws:apigateway/deployment:Deployment",
  usagePlan: "aws:apigateway/usagePlan:UsagePlan",
  distribution: "aws:cloudfront/distribution:Distribution",
  certificate: "aws:acm/certificate:Certificate",
  validation: "aws:acm/certificateValidation:CertificateValidation",
  webAcl: "aws:wafv2/webAcl:WebAcl",
  logSource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  logDestination: "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  userPool: "aws:cognito/userPool:UserPool",
  table: "aws:dynamodb/table:Table",
  record: "aws:route53/record:Record",
  role: "aws:iam/role:Role",
} as const;

const label = (r: Recorded) => `${r.type.split(":").pop()} ${r.name}`;
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Whether a policy document (JSON text) allows `action`, by exact name or a service wildcard. */
export function allows(policy: unknown, action: string): boolean {
  if (typeof policy !== "string") return false;
  const doc = JSON.parse(policy) as { Statement?: unknown };
  return list(doc.Statement).some((s) => {
    const st = s as { Effect?: string; Action?: unknown };
    const service = `${action.split(":")[0]}:*`;
    return st.Effect === "Allow" && list(st.Action).some((a) => a === action || a === service || a === "*");
  });
}

/** What Lambda needs the role to do on a DynamoDB stream before it creates a mapping on it. */
const STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

/** CloudFront reads certificates, web ACLs and standard-log sources only in us-east-1. */
const CLOUDFRONT_REGION = "us-east-1";
/** Where Cognito may send e-mail through SES besides the pool's own region. */
const SES_REGIONS_FOR_ANY_POOL = ["us-east-1", "us-west-2", "eu-west-1"];

export const DEPLOY_RULES: readonly DeployRule[] = [
  {
    id: "xray-grant-before-traced-function",
    rule: "A function with Active tracing is created only after its role is granted xray:PutTraceSegments.",
    sources: [
      "Lambda CreateFunction refuses the role otherwise: 'The provided execution role does not have permissions to call PutTraceSegments on XRAY' (InvalidParameterValueException), serverless/serverless#6931, coinbase/fenrir#1",
      "Lambda developer guide, 'Visualize Lambda function invocations using AWS X-Ray': the execution role needs xray:PutTraceSegments and xray:PutTelemetryRecords",
    ],
    check(g) {
      const problems: string[] = [];
      const traced = g.ofType(T.fn).filter((fn) => fn.inputs.tracingConfig?.mode === "Active");
      for (const fn of traced) {
        const roles = new Set(g.inputFrom(fn, "role").map((r) => r.options.urn));
        const grants = g.resources.filter(
          (r) =>
            (r.type === T.rolePolicy && allows(r.inputs.policy, "xray:PutTraceSegments")) ||
            (r.type === T.attachment && /AWSXRayDaemonWriteAccess|AWSXrayWriteOnlyAccess/.test(String(r.inputs.policyArn))),
        );
        const own = grants.filter((grant) => g.inputFrom(grant, "role").some((role) => roles.has(role.options.urn)));
        const inline = g
          .inputFrom(fn, "role")
          .some((role) =>
            list(role.inputs.inlinePolicies).some((p) => allows((p as { policy?: unknown }).policy, "xray:PutTraceSegments")),
          );
        if (inline) continue;
        if (own.length === 0) problems.push(`${label(fn)}: its role is never granted xray:PutTraceSegments`);
        else if (!own.some((grant) => g.waitsFor(fn, grant)))
          problems.push(`${label(fn)} is created before its role's X-Ray grant (${own.map(label).join(", ")})`);
      }
      return { checked: traced.length, problems };
    },
  },
  {
    id: "log-group-before-invocation",
    rule: "A function's log group, with retention, exists before anything may invoke the function (its invoke permissions and event source mappings wait for it).",
    sources: [
      "Lambda developer guide, 'Configuring CloudWatch log groups': without the group, Lambda's first invocation creates /aws/lambda/<name> without retention (if the role may) or loses the logs",
      "Lambda API reference, LoggingConfig.LogGroup: the group a function sends logs to; a custom group's name must not begin with aws/ (developer guide, 'Configuring CloudWatch log groups')",
    ],
    check(g) {
      const problems: string[] = [];
      const functions = g.ofType(T.fn);
      for (const fn of functions) {
        const name = String(fn.inputs.loggingConfig?.logGroup ?? `/aws/lambda/${fn.state.name}`);
        const group = g.ofType(T.logGroup).find((l) => l.state.name === name);
        if (!group) {
          problems.push(`${label(fn)}: no log group named ${name} in the stack`);
          continue;
        }
        if (!(Number(group.inputs.retentionInDays) > 0)) problems.push(`${label(group)}: no retention`);
        // Lambda cannot write to a custom group whose name begins with aws/ (developer guide, above).
        if (fn.inputs.loggingConfig?.logGroup !== undefined && /^\/?aws\//.test(name))
          problems.push(`${label(group)}: a custom log group named ${name} (Lambda refuses names that begin with aws/)`);
        const invokers = [...g.ofType(T.permission), ...g.ofType(T.eventSourceMapping)].filter((inv) =>
          [...g.inputFrom(inv, "function"), ...g.inputFrom(inv, "functionName")].some((r) => r.options.urn === fn.options.urn),
        );
        for (const invoker of invokers)
          if (!g.waitsFor(invoker, group)) problems.push(`${label(invoker)} lets ${label(fn)} be invoked before ${label(group)} exists`);
      }
      return { checked: functions.length, problems };
    },
  },
  {
    id: "account-log-role-before-access-logging",
    rule: "A stage with access logging waits for the account's CloudWatch Logs role where this stack sets it; elsewhere the stack says so (apiGatewayLogRole: elsewhere).",
    sources: [
      "API Gateway developer guide, 'Set up CloudWatch logging for REST APIs': access logging needs the account's CloudWatch Logs role ARN; otherwise 'CloudWatch Logs role ARN must be set in account settings to enable logging'",
      "API Gateway UpdateAccount checks the role's trust and policy ('The role ARN does not have required permissions set to API Gateway'; the provider retries it: terraform-provider-aws resource_api_gateway_account.go)",
    ],
    check(g) {
      const problems: string[] = [];
      const logged = g.ofType(T.stage).filter((s) => s.inputs.accessLogSettings);
      const owner = g.setting("apiGatewayLogRole");
      for (const stage of logged) {
        if (owner === "elsewhere") continue;
        if (owner !== "this-stack") {
          problems.push(`${label(stage)} logs access but the stack does not say who sets the account's log role (apiGatewayLogRole)`);
          continue;
        }
        const accounts = g.ofType(T.account);
        if (!accounts.some((a) => g.waitsFor(stage, a)))
          problems.push(`${label(stage)} does not wait for the account's CloudWatch Logs role`);
        for (const account of accounts) {
          const attached = g.ofType(T.attachment).filter((a) => /AmazonAPIGatewayPushToCloudWatchLogs/.test(String(a.inputs.policyArn)));
          if (!attached.some((a) => g.waitsFor(account, a)))
            problems.push(`${label(account)} is set before its role carries the logs policy`);
        }
      }
      return { checked: logged.length, problems };
    },
  },
  {
    id: "cloudfront-us-east-1-and-validated-certificate",
    rule: "CloudFront's certificate, web ACL (scope CLOUDFRONT) and log source are in us-east-1, and the distribution waits for the certificate's validation, not only the certificate.",
    sources: [
      "ACM user guide, 'Supported Regions': to use a certificate with CloudFront, request or import it in US East (N. Virginia)",
      "AWS WAF developer guide: a web ACL for CloudFront has scope CLOUDFRONT and is created in us-east-1",
      "CloudFront UpdateDistribution refuses a certificate that is not ISSUED ('The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain'); aws_acm_certificate_validation waits for issuance (provider docs)",
      "CloudFront developer guide, 'Configure standard logging (v2)': the delivery source for a distribution is created in us-east-1",
    ],
    check(g) {
      const problems: string[] = [];
      const distributions = g.ofType(T.distribution);
      let checked = 0;
      for (const d of distributions) {
        if (d.inputs.viewerCertificate?.acmCertificateArn) {
          checked++;
          const validations = g.ofType(T.validation);
          if (!g.inputFrom(d, "viewerCertificate").some((r) => r.type === T.validation) || !validations.some((v) => g.waitsFor(d, v)))
            problems.push(`${label(d)} uses its certificate without waiting for its validation`);
        }
      }
      for (const r of [...g.ofType(T.certificate), ...g.ofType(T.validation), ...g.ofType(T.logSource)]) {
        checked++;
        if (g.regionOf(r) !== CLOUDFRONT_REGION) problems.push(`${label(r)} is in ${g.regionOf(r)}, not ${CLOUDFRONT_REGION}`);
      }
      for (const acl of g.ofType(T.webAcl)) {
        checked++;
        if (acl.inputs.scope !== "CLOUDFRONT") problems.push(`${label(acl)} has scope ${acl.inputs.scope}, not CLOUDFRONT`);
        if (g.regionOf(acl) !== CLOUDFRONT_REGION) problems.push(`${label(acl)} is in ${g.regionOf(acl)}, not ${CLOUDFRONT_REGION}`);
      }
      for (const dest of g.ofType(T.logDestination)) {
        checked++;
        if (g.regionOf(dest) !== CLOUDFRONT_REGION) problems.push(`${label(dest)} is in ${g.regionOf(dest)}, not ${CLOUDFRONT_REGION}`);
      }
      return { checked, problems };
    },
  },
  {
    id: "deployment-follows-definition",
    rule: "The API deployment is redone whenever the API definition changes (its triggers hold the definition's hash), and the stage follows it.",
    sources: [
      "API Gateway: a change to a REST API reaches clients only through a new deployment (developer guide, 'Deploy a REST API')",
      "provider docs, aws_api_gateway_deployment: without `triggers` (or a redeployment), changes to the API are not deployed",
    ],
    check(g) {
      const problems: string[] = [];
      const deployments = g.ofType(T.deployment);
      for (const d of deployments) {
        const apis = g.inputFrom(d, "restApi").filter((r) => r.type === T.restApi);
        const triggers = Object.values((d.inputs.triggers ?? {}) as Record<string, unknown>).map(String);
        for (const api of apis) {
          const hash = createHash("sha256").update(String(api.inputs.body)).digest("hex");
          if (!triggers.includes(hash)) problems.push(`${label(d)}: its triggers do not follow ${label(api)}'s definition`);
        }
        if (apis.length === 0) problems.push(`${label(d)}: no REST API`);
        if (d.options.deleteBeforeReplace)
          problems.push(`${label(d)}: deleted before its replacement exists (the stage would point at nothing)`);
        for (const stage of g.ofType(T.stage).filter((s) => g.inputFrom(s, "restApi").some((a) => apis.includes(a))))
          if (!g.inputFrom(stage, "deployment").includes(d)) problems.push(`${label(stage)} does not follow ${label(d)}`);
      }
      return { checked: deployments.length, problems };
    },
  },
  {
    id: "openapi-import-takes-deprecated-operations",
    rule: "A REST API whose OpenAPI body marks operations `deprecated` (the old /api/todos routes) is imported without failing on warnings: the import's list of exceptions does not name the field, so at worst it warns.",
    sources: [
      "API Gateway developer guide, 'Develop REST APIs using OpenAPI in API Gateway': OpenAPI 3.0 is supported 'with exceptions listed in Amazon API Gateway important notes for REST APIs' (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html); the Operation `deprecated` field is not among them",
      "API Gateway API reference, ImportRestApi / PutRestApi `failOnWarnings`: default false; true rolls the import back on any warning (provider docs, aws_api_gateway_rest_api `fail_on_warnings`)",
    ],
    check(g) {
      const problems: string[] = [];
      let checked = 0;
      for (const api of g.ofType(T.restApi)) {
        if (typeof api.inputs.body !== "string") continue;
        const paths = (JSON.parse(api.inputs.body) as { paths?: Record<string, Record<string, { deprecated?: boolean }>> }).paths ?? {};
        const deprecated = Object.values(paths)
          .flatMap((methods) => Object.values(methods))
          .filter((op) => op?.deprecated === true);
        if (deprecated.length === 0) continue;
        checked++;
        if (api.inputs.failOnWarnings !== false)
          problems.push(
            `${label(api)}: ${deprecated.length} deprecated operations, imported with failOnWarnings ${String(api.inputs.failOnWarnings)}`,
          );
      }
      return { checked, problems };
    },
  },
  {
    id: "invoke-permissions-before-traffic",
    rule: "Every permission API Gateway needs to invoke a function exists before the stage takes traffic.",
    sources: [
      "Lambda developer guide, 'Using resource-based policies': API Gateway invokes a function only with a permission for apigateway.amazonaws.com; without it a request gets 500 'Internal server error' (Execution failed due to configuration error: Invalid permissions on Lambda function)",
    ],
    check(g) {
      const problems: string[] = [];
      const permissions = g.ofType(T.permission).filter((p) => p.inputs.principal === "apigateway.amazonaws.com");
      for (const stage of g.ofType(T.stage)) {
        const apis = new Set(g.inputFrom(stage, "restApi").map((a) => a.options.urn));
        for (const p of permissions.filter((p) => g.inputFrom(p, "sourceArn").some((a) => apis.has(a.options.urn))))
          if (!g.waitsFor(stage, p)) problems.push(`${label(stage)} takes traffic before ${label(p)}`);
      }
      return { checked: permissions.length, problems };
    },
  },
  {
    id: "ses-identity-in-a-region-cognito-sends-from",
    rule: "An SES identity Cognito sends from is in the pool's region or in us-east-1, us-west-2 or eu-west-1.",
    sources: [
      "Cognito developer guide, 'Email settings for Amazon Cognito user pools' (SES Regions a pool may use)",
      "AWS CDK, UserPoolSESOptions.sesRegion: 'Must be us-east-1, us-west-2, or eu-west-1' when it differs from the pool's",
    ],
    check(g) {
      const problems: string[] = [];
      const pools = g.ofType(T.userPool).filter((p) => p.inputs.emailConfiguration?.sourceArn);
      for (const pool of pools) {
        const region = /^arn:aws[a-z-]*:ses:([a-z0-9-]+):/.exec(String(pool.inputs.emailConfiguration.sourceArn))?.[1];
        const poolRegion = g.regionOf(pool);
        if (region !== poolRegion && !SES_REGIONS_FOR_ANY_POOL.includes(String(region)))
          problems.push(`${label(pool)} in ${poolRegion} sends through SES in ${region}`);
      }
      return { checked: pools.length, problems };
    },
  },
  {
    id: "stateful-resources-protected",
    rule: "With protectData, the table and the user pool are `protect`ed (the engine refuses to delete or replace them), not only kept on delete.",
    sources: [
      "Pulumi docs, resource option `retainOnDelete`: a replacement still creates the new resource and drops the old one from the stack; `protect` makes the engine refuse it",
      "provider docs: a new key schema or local secondary index replaces aws_dynamodb_table; a change of username_attributes replaces aws_cognito_user_pool",
    ],
    check(g) {
      const problems: string[] = [];
      const stateful = [...g.ofType(T.table), ...g.ofType(T.userPool)];
      if (g.setting("protectData") === "true") {
        for (const r of stateful) {
          if (!r.options.protect) problems.push(`${label(r)} is not protected: a replacing change would swap in an empty one`);
          if (!r.options.retainOnDelete) problems.push(`${label(r)} is not kept on destroy`);
        }
      }
      return { checked: g.setting("protectData") === "true" ? stateful.length : 0, problems };
    },
  },
  {
    id: "route53-records-decide-overwrite",
    rule: "Every Route 53 record says whether it may take over a record that already exists (allowOverwrite), so a first `pulumi up` neither fails on it unexplained nor silently takes someone's record.",
    sources: [
      "provider docs, aws_route53_record `allow_overwrite`: without it, creating a record that exists fails ('Tried to create resource record set … but it already exists')",
    ],
    check(g) {
      const records = g.ofType(T.record);
      return {
        checked: records.length,
        problems: records.filter((r) => typeof r.inputs.allowOverwrite !== "boolean").map((r) => `${label(r)} does not set allowOverwrite`),
      };
    },
  },
  {
    id: "stream-read-grant-before-event-source-mapping",
    rule: "An event source mapping on a DynamoDB stream is created only after its function's role may read the stream (DescribeStream, GetRecords, GetShardIterator, ListStreams).",
    sources: [
      "Lambda CreateEventSourceMapping checks the execution role: 'Cannot access stream <arn>. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.' (InvalidParameterValueException; serverless/serverless#3997 'DDB Stream Lambda creation fails due to IAM policy not being updated first', aws-samples/lambda-refarch-webapp#7)",
      "DynamoDB developer guide, 'IAM policy to allow an AWS Lambda function to access DynamoDB stream records': the four actions on the stream",
    ],
    check(g) {
      const problems: string[] = [];
      const mappings = g.ofType(T.eventSourceMapping).filter((m) => /:dynamodb:.*\/stream\//.test(String(m.inputs.eventSourceArn)));
      for (const mapping of mappings) {
        const roles = new Set(
          g
            .inputFrom(mapping, "functionName")
            .filter((r) => r.type === T.fn)
            .flatMap((fn) => g.inputFrom(fn, "role"))
            .map((r) => r.options.urn),
        );
        const grants = g
          .ofType(T.rolePolicy)
          .filter((p) => g.inputFrom(p, "role").some((role) => roles.has(role.options.urn)))
          .filter((p) => STREAM_READ.every((action) => allows(p.inputs.policy, action)));
        if (grants.length === 0) problems.push(`${label(mapping)}: its function's role is never allowed to read the stream`);
        else if (!grants.some((grant) => g.waitsFor(mapping, grant)))
          problems.push(`${label(mapping)} is created before its role may read the stream (${grants.map(label).join(", ")})`);
      }
      return { checked: mappings.length, problems };
    },
  },
  {
    id: "event-source-mapping-on-an-enabled-stream",
    rule: "An event source mapping reads the stream of a table that has its stream enabled, with a view type DynamoDB accepts that carries the new image the poke function reads the writer from, and takes the stream ARN from that table (the mapping waits for it, and follows a new ARN).",
    sources: [
      "provider docs, aws_dynamodb_table `stream_arn`: set only when `stream_enabled` is true; CreateEventSourceMapping needs a stream ARN (Lambda API reference, EventSourceArn)",
      "DynamoDB API reference, StreamSpecification: StreamViewType is one of KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES; only NEW_IMAGE and NEW_AND_OLD_IMAGES write the item as it is after the change (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_StreamSpecification.html)",
      "a view type cannot change on an enabled stream (UpdateTable: 'Table already has an enabled stream', terraform-provider-aws#18402): a change disables it and enables a new stream with a new ARN, so the mapping must read the table's streamArn output, never a fixed ARN (terraform-provider-aws#42560)",
    ],
    check(g) {
      const problems: string[] = [];
      const mappings = g.ofType(T.eventSourceMapping);
      for (const mapping of mappings) {
        const tables = g.inputFrom(mapping, "eventSourceArn").filter((r) => r.type === T.table);
        if (tables.length === 0 && /:dynamodb:/.test(String(mapping.inputs.eventSourceArn)))
          problems.push(`${label(mapping)} names a DynamoDB stream no table of the stack gives it`);
        for (const table of tables) {
          if (table.inputs.streamEnabled !== true) problems.push(`${label(mapping)} reads ${label(table)}, whose stream is off`);
          else if (!["NEW_IMAGE", "NEW_AND_OLD_IMAGES"].includes(String(table.inputs.streamViewType)))
            problems.push(
              `${label(mapping)} reads ${label(table)}, whose stream view type ${String(table.inputs.streamViewType)} does not carry the new image (the writer)`,
            );
        }
      }
      return { checked: mappings.length, problems };
    },
  },
  {
    id: "scheduler-role-trusts-scheduler",
    rule: "A role a function passes to EventBridge Scheduler (iam:PassRole, PassedToService scheduler.amazonaws.com) is made by the stack, trusts scheduler.amazonaws.com, and may invoke its target function.",
    sources: [
      "EventBridge Scheduler user guide, 'Set up the execution role': the schedule's execution role must trust scheduler.amazonaws.com (sts:AssumeRole) and allow the target API, here lambda:InvokeFunction (https://docs.aws.amazon.com/eventbridge/latest/userguide/using-eventbridge-scheduler.html)",
      "CreateSchedule is called with RoleArn by the caller, who needs iam:PassRole on that role: without it, or with a role Scheduler cannot assume, the schedule fails at run time, not at deployment (Scheduler user guide, 'Setting up': execution role; IAM user guide, 'Granting a user permissions to pass a role to an AWS service')",
    ],
    check(g) {
      const problems: string[] = [];
      const passing = g.ofType(T.rolePolicy).filter((p) => {
        if (typeof p.inputs.policy !== "string") return false;
        const doc = JSON.parse(p.inputs.policy) as { Statement?: unknown };
        return list(doc.Statement).some((st) => {
          const { Action, Condition } = st as { Action?: unknown; Condition?: { StringEquals?: Record<string, unknown> } };
          return list(Action).includes("iam:PassRole") && Condition?.StringEquals?.["iam:PassedToService"] === "scheduler.amazonaws.com";
        });
      });
      for (const p of passing) {
        const passed = g.inputFrom(p, "policy").filter((r) => r.type === T.role);
        if (passed.length === 0) problems.push(`${label(p)} passes a role to Scheduler that the stack does not make`);
        for (const role of passed) {
          const trust = String(role.inputs.assumeRolePolicy ?? "");
          if (!trust.includes('"scheduler.amazonaws.com"'))
            problems.push(`${label(role)} is passed to Scheduler but does not trust scheduler.amazonaws.com`);
          const invokes = g
            .ofType(T.rolePolicy)
            .some(
              (q) =>
                g.inputFrom(q, "role").some((r) => r.options.urn === role.options.urn) && allows(q.inputs.policy, "lambda:InvokeFunction"),
            );
          if (!invokes) problems.push(`${label(role)} is passed to Scheduler but may not invoke a function`);
        }
      }
      return { checked: passing.length, problems };
    },
  },
  {
    id: "usage-plan-after-stage",
    rule: "The front door's usage plan names a stage that exists before it.",
    sources: ["API Gateway CreateUsagePlan refuses an apiStages entry whose stage does not exist ('Invalid stage identifier specified')"],
    check(g) {
      const plans = g.ofType(T.usagePlan);
      const problems = plans.flatMap((plan) =>
        g.ofType(T.stage).some((stage) => g.waitsFor(plan, stage)) ? [] : [`${label(plan)} does not wait for the stage it names`],
      );
      return { checked: plans.length, problems };
    },
  },
];

/** Every rule's problems on one stack; rules that found nothing to check are listed as such. */
export function rehearse(snapshot: Pick<Snapshot, "resources" | "config">): { rule: DeployRule; finding: Finding }[] {
  const graph = new StackGraph(snapshot);
  return DEPLOY_RULES.map((rule) => ({ rule, finding: rule.check(graph) }));
}
