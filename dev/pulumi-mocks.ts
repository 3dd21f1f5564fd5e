/**
 * One Pulumi mock setup for every infrastructure test. Import it first: it calls `setMocks`
 * (mocks are global to the process), records every resource registered (type, name, inputs,
 * and the options the program set: retainOnDelete, protect, dependsOn, provider) and fails on any
 * provider function call, since the program should need none. `runProgram()` runs index.ts
 * once with the config of Pulumi.dev.yaml (dev/snapshot.ts: any stack, in a process of its own)
 * and waits until every resource is registered.
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
  readonly options: RecordedOptions;
}

/**
 * What the engine receives with a registration besides the inputs: the options, and the
 * dependencies a real `pulumi up` orders creation by. `dependsOn` is every URN the resource waits
 * for (explicit `dependsOn`, expanded from components to their children, and the resources its
 * inputs came from); `propertyDependencies` says which input carried which.
 */
export interface RecordedOptions {
  readonly urn: string;
  readonly retainOnDelete: boolean;
  readonly protect: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly parent: string;
  readonly dependsOn: string[];
  readonly propertyDependencies: Record<string, string[]>;
  /** "<provider urn>::<provider id>" when the resource names an explicit provider; "" for the default one. */
  readonly provider: string;
}

export const recorded: Recorded[] = [];
export const unexpectedCalls: string[] = [];
const options = new Map<string, RecordedOptions>();

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
    case "aws:apigateway/apiKey:ApiKey":
      // API Gateway generates the value when none is given (20 to 128 alphanumerics).
      return { value: inputs.value ?? `generatedkey${physical(name).replace(/[^A-Za-z0-9]/g, "")}`, name: inputs.name ?? physical(name) };
    case "aws:sns/topic:Topic":
      return { arn: arn("sns", physical(name)) };
    default:
      return { arn: arn(type.split(/[:/]/)[1] ?? "unknown", physical(name)), name: inputs.name ?? physical(name) };
  }
}

/** The wire's mark of a secret value (`{ [SECRET_SIG]: SECRET_VALUE_SIG, value }`), as the engine sends it. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/**
 * Inputs with their secrets' values in place: a secret arrives wrapped, and so does any object
 * or list holding one (the CloudFront origins with the API key). The tests read values; which
 * inputs are secret is the program's business, kept by `pulumi.secret`.
 */
function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  if (value && typeof value === "object" && !(value instanceof Promise) && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    if (SECRET_SIG in record && "value" in record) return revealed(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, v]) => [key, revealed(v)]));
  }
  return value;
}

// setMocks is async in name only (its body is synchronous); runProgram awaits it all the same.
const mocksSet = pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
      const inputs = revealed(args.inputs) as Record<string, any>;
      const state = { ...inputs, ...outputsFor(args.type, args.name, inputs) };
      const opts = options.get(`${args.type}::${args.name}`) ?? {
        urn: "",
        retainOnDelete: false,
        protect: false,
        deleteBeforeReplace: false,
        parent: "",
        dependsOn: [],
        propertyDependencies: {},
        provider: "",
      };
      recorded.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, state, options: opts });
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
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: { getUrnsList(): string[] }, key: string) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  options.set(`${req.getType()}::${req.getName()}`, {
    // The URN the mock monitor gives the resource (the same rule as the engine's).
    urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()) as string,
    retainOnDelete: req.getRetainondelete() ?? false,
    protect: req.getProtect() ?? false,
    deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
    parent: req.getParent(),
    dependsOn: req.getDependenciesList(),
    propertyDependencies,
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
let program: { stack: string; promise: Promise<StackOutputs> } | undefined;
let programRecorded: readonly Recorded[] = [];

/** What index.ts registered in runProgram(), without what tests made themselves before or after. */
export const programResources = (): readonly Recorded[] => programRecorded;

/** A stack's config as the engine passes it: the stack file's keys, then `overrides` (plain keys are the project's). */
export function stackConfig(stackFile: string, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  const stack = readYaml(stackFile) as { config: Record<string, unknown> };
  const config = Object.fromEntries(Object.entries(stack.config).map(([k, v]) => [k, String(v)]));
  for (const [key, value] of Object.entries(overrides)) config[key.includes(":") ? key : `tasklane:${key}`] = value;
  return config;
}

/**
 * Runs index.ts once per process (resource names are global) with a stack's config: only the keys
 * its stack file sets (Pulumi.dev.yaml unless told), so index.ts's own defaults stand for the
 * rest. dev/snapshot.ts runs it for other stacks, each in a process of its own.
 */
export function runProgram(stackFile = "Pulumi.dev.yaml", overrides: Readonly<Record<string, string>> = {}): Promise<StackOutputs> {
  const stack = JSON.stringify([stackFile, overrides]);
  if (program && program.stack !== stack) throw new Error(`runProgram already ran ${program.stack} in this process; one stack per process`);
  program ??= {
    stack,
    promise: (async () => {
      await mocksSet;
      pulumi.runtime.setAllConfig(stackConfig(stackFile, overrides));
      const mod = (await import("../index")) as unknown as { default?: () => Promise<Record<string, pulumi.Output<unknown>>> };
      const main = (mod.default ?? mod) as () => Promise<Record<string, pulumi.Output<unknown>>>;
      const start = recorded.length;
      const outputs = await main();
      const values: StackOutputs = {};
      for (const [key, output] of Object.entries(outputs)) values[key] = await valueOf(output);
      await settle();
      programRecorded = recorded.slice(start);
      return values;
    })(),
  };
  return program.promise;
}

export const ofType = (type: string): Recorded[] => recorded.filter((r) => r.type === type);
export const named = (type: string, name: string): Recorded => {
  const hit = recorded.find((r) => r.type === type && r.name === name);
  if (!hit) throw new Error(`No ${type} named ${name} was registered`);
  return hit;
};
