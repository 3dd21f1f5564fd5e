/**
 * TodoTable: the DynamoDB table that holds every user's to-dos.
 *
 * Default settings:
 * - `userId` (S) partition key, `todoId` (S) sort key, and the change feed's local secondary
 *   index on `changeKey` (S: `updatedAt#todoId`), all projected: handlers/table.ts defines them for this component,
 *   the adapter and the local stack. A local secondary index exists only from the table's
 *   creation on: a stack made before it gets a new, empty table (see README, "Deploy")
 * - on-demand billing (PAY_PER_REQUEST): no capacity to plan, nothing to pay when idle
 * - point-in-time recovery on; server-side encryption on with the AWS-managed KMS key
 *   (`aws/dynamodb`, auditable in CloudTrail), or a customer-managed key given as `kmsKeyArn`
 * - TTL on `expiresAt`, which expires the adapter's idempotency records and tombstones (30 days)
 * - a DynamoDB stream of NEW_IMAGE: every change, however made (a route, a bulk route, a
 *   migration, the console), for PushChannel's pokes. The poke function reads the keys (whose
 *   partition changed; a `~member#<sub>` key names its member) and, of the image, the writer
 *   alone (handlers/writer.ts: which device made it, so that device is not poked into pulling its
 *   own write); it logs none of it. The image is the whole item as written, so to-dos' titles
 *   now pass through the stream to that one function (KEYS_ONLY carried none of it): the price
 *   of the writer, the only way the stream can name it. Turning a stream on is an in-place update
 *   (UpdateTable StreamSpecification), but DynamoDB refuses to change the view type of an enabled
 *   stream ("Table already has an enabled stream", terraform-provider-aws#18402): the change
 *   from KEYS_ONLY disables the stream and enables a new one with a NEW stream ARN, which the
 *   event source mapping must follow (terraform-provider-aws#42560: a plan that assumes the ARN
 *   unchanged breaks the mapping). See README, "Deploy", for the step. Lambda's reads of it are
 *   not billed (DynamoDB's pricing page, on-demand: GetRecords calls made by Lambda for a DynamoDB
 *   trigger are free; from memory of https://aws.amazon.com/dynamodb/pricing/on-demand/, not
 *   re-read on 2026-12-07)
 * - with `protect`: deletion protection on; Pulumi's `protect`, so the engine refuses to delete or
 *   REPLACE the table (a replacing change — a new key attribute, a new local secondary index —
 *   would otherwise create a new, empty table and point the functions at it: `retainOnDelete`
 *   alone keeps the old one but drops it from the stack); and `retainOnDelete` so
 *   `pulumi destroy` (after `pulumi state unprotect`) still leaves the data
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CHANGES_INDEX, KEY_ATTRIBUTES, TABLE_KEY, TTL_ATTRIBUTE } from "../handlers/table";
import { SETTINGS } from "./settings";

/** What the stream carries of each change: the item as written, for its writer (see the file comment). */
export const STREAM_VIEW_TYPE = "NEW_IMAGE";

export interface TodoTableArgs {
  /** Turn on deletion protection and keep the table when the stack is destroyed. @default SETTINGS.protectData */
  readonly protect?: boolean;
  /** Keep 35 days of continuous backups. @default true */
  readonly pointInTimeRecovery?: boolean;
  /** A customer-managed KMS key for encryption at rest. @default the AWS-managed key */
  readonly kmsKeyArn?: pulumi.Input<string>;
}

export class TodoTable extends pulumi.ComponentResource {
  public readonly tableName: pulumi.Output<string>;
  public readonly tableArn: pulumi.Output<string>;
  /** The table's change stream (NEW_IMAGE). */
  public readonly streamArn: pulumi.Output<string>;

  constructor(name: string, args: TodoTableArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("tasklane:index:TodoTable", name, {}, opts);
    const protect = args.protect ?? SETTINGS.protectData.default;
    const pointInTimeRecovery = args.pointInTimeRecovery ?? true;

    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE_KEY.partition,
        rangeKey: TABLE_KEY.sort,
        attributes: KEY_ATTRIBUTES.map(({ name, type }) => ({ name, type })),
        localSecondaryIndexes: [{ name: CHANGES_INDEX.name, rangeKey: CHANGES_INDEX.sort, projectionType: CHANGES_INDEX.projection }],
        pointInTimeRecovery: { enabled: pointInTimeRecovery },
        serverSideEncryption: { enabled: true, ...(args.kmsKeyArn !== undefined && { kmsKeyArn: args.kmsKeyArn }) },
        ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
        deletionProtectionEnabled: protect,
        streamEnabled: true,
        streamViewType: STREAM_VIEW_TYPE,
      },
      { parent: this, protect, retainOnDelete: protect },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.streamArn = table.streamArn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn, streamArn: this.streamArn });
  }
}
