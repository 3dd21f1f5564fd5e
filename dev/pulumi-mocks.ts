/**
 * One Pulumi mock setup for every infrastructure test. Import it first: it calls `setMocks`
 * (mocks are global to the process), records every resource registered (type, name, inputs,
 * and the options the program set: retainOnDelete, protect, dependsOn, provider) and fails on any
 * provider function call, since the program should need none. `runProgram()` runs index.ts
 * once with the config of Pulumi.dev.yaml (or of Pulumi.<TASKLANE_STACK>.yaml) and waits until
 * every resource is registered.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

// js-yaml comes with @pulumi/pulumi (a dependency), so it is always installed; it has no types here.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- js-yaml has no types here, so an import would be any
const yaml = require("js-yaml") as { load(this: void, text: string): unknown };
const loadYaml = yaml.load;

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
export const ROOT = join(__dirname, "..");

export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
  /** Options as the program set them (read from the registration request). */
  readonly options: { retainOnDelete: boolean; protect: boolean; parent: string; dependsOn: string[]; provider: string };
}

export const recorded: Recorded[] = [];
export const unexpectedCalls: string[] = [];
const options = new Map<string, Recorded["options"]>();

let counter = 0;
const physical = (name: string) => `${name}-${(++counter).toString(16).padStart(7, "0")}`;

/** Plausible outputs for the types the program makes: enough for ARNs and names to flow. */
function outputsFor(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:dynamodb/table:Table": {
      const tableName = inputs.name ?? physical(name);
      return { name: tableName, arn: arn("dynamodb", `table/${tableName}`) };
    }
    case "aws:cognito/userPool:UserPool":
      return { arn: arn("cognito-idp", `userpool/${REGION}_${name}`) };
    case "aws:lambda/function:Function": {
      const fnName = inputs.name ?? physical(name);
      const fnArn = arn("lambda", `function:${fnName}`);
      return { name: fnName, arn: fnArn, invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn}/invocations` };
    }
    case "aws:iam/role:Role": {
      const roleName = inputs.name ?? physical(name);
      return { name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}` };
    }
    case "aws:cloudwatch/logGroup:LogGroup": {
      const groupName = inputs.name ?? physical(name);
      return { name: groupName, arn: arn("logs", `log-group:${groupName}`) };
    }
    case "aws:apigateway/restApi:RestApi":
      return { name: inputs.name ?? physical(name), executionArn: arn("execute-api", `${name}-id`), rootResourceId: "root" };
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? physical(name);
      return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com` };
    }
    case "aws:cloudfront/distribution:Distribution":
      // Z2FDTNDATAQYW2: the hosted zone of every CloudFront domain (alias records point at it).
      return {
        arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/${name}-id`,
        domainName: `${name}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
      };
    case "aws:acm/certificate:Certificate":
      return {
        arn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${name}-id`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_x1.${inputs.domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_x2.acm-validations.aws.",
          },
        ],
      };
    case "aws:route53/record:Record":
      return { fqdn: String(inputs.name).replace(/\.$/, "") };
    case "aws:sns/topic:Topic":
      return { arn: arn("sns", physical(name)) };
    default:
      return { arn: arn(type.split(/[:/]/)[1] ?? "unknown", physical(name)), name: inputs.name ?? physical(name) };
  }
}

// setMocks is async in name only (its body is synchronous); runProgram awaits it all the same.
const mocksSet = pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
      const state = { ...args.inputs, ...outputsFor(args.type, args.name, args.inputs) };
      const opts = options.get(`${args.type}::${args.name}`) ?? {
        retainOnDelete: false,
        protect: false,
        parent: "",
        dependsOn: [],
        provider: "",
      };
      recorded.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs: args.inputs, state, options: opts });
      return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
      unexpectedCalls.push(args.token);
      throw new Error(`Unexpected provider call ${args.token}: the program should need none`);
    },
  },
  "tasklane",
  "test",
  false,
);

// The mock monitor sees the registration request, which carries the resource options that
// newResource() is not given. Wrap it to keep them.
const monitor = pulumi.runtime.getMonitor() as any;
const register = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: any, callback: unknown) => {
  options.set(`${req.getType()}::${req.getName()}`, {
    retainOnDelete: req.getRetainondelete() ?? false,
    protect: req.getProtect() ?? false,
    parent: req.getParent(),
    dependsOn: req.getDependenciesList(),
    // "<provider urn>::<provider id>" when the resource names an explicit provider; "" for the default one.
    provider: req.getProvider(),
  });
  return register(req, callback);
};

export function readYaml(file: string): any {
  return loadYaml(readFileSync(join(ROOT, file), "utf8"));
}

export function projectConfig(): Record<string, { type: string; default: unknown; description: string }> {
  return (loadYaml(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, any> }).config;
}

export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Waits until every outstanding registration has reached the mock monitor. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

export type StackOutputs = Record<string, unknown>;
let program: Promise<StackOutputs> | undefined;
let programRecorded: readonly Recorded[] = [];

/** What index.ts registered in runProgram(), without what tests made themselves before or after. */
export const programResources = (): readonly Recorded[] => programRecorded;

/**
 * Runs index.ts once per process (resource names are global) with the dev stack's config, only
 * the keys Pulumi.dev.yaml sets, so index.ts's own defaults stand for the rest. TASKLANE_STACK
 * names another stack file (bench/idle-cost.ts runs prod that way, in a process of its own).
 */
export function runProgram(): Promise<StackOutputs> {
  program ??= (async () => {
    await mocksSet;
    const stack = readYaml(`Pulumi.${process.env.TASKLANE_STACK ?? "dev"}.yaml`) as { config: Record<string, unknown> };
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(stack.config).map(([k, v]) => [k, String(v)])));
    const mod = (await import("../index")) as unknown as { default?: () => Promise<Record<string, pulumi.Output<unknown>>> };
    const main = (mod.default ?? mod) as () => Promise<Record<string, pulumi.Output<unknown>>>;
    const start = recorded.length;
    const outputs = await main();
    const values: StackOutputs = {};
    for (const [key, output] of Object.entries(outputs)) values[key] = await valueOf(output);
    await settle();
    programRecorded = recorded.slice(start);
    return values;
  })();
  return program;
}

export const ofType = (type: string): Recorded[] => recorded.filter((r) => r.type === type);
export const named = (type: string, name: string): Recorded => {
  const hit = recorded.find((r) => r.type === type && r.name === name);
  if (!hit) throw new Error(`No ${type} named ${name} was registered`);
  return hit;
};
