/**
 * The device a write comes from (issue 18), written once for the site, the API and the poke:
 * its own file, with nothing else in it, so the first page's code (site/src/api.ts) takes these
 * two constants and none of the push channel's (the site's push chunk takes none of these: its own id is compared exactly).
 */
/**
 * The request header that names the device a write comes from (the site sends it on every
 * write; handlers/http.ts validates it: a malformed value is a 400 `invalid_header`, as a
 * malformed Idempotency-Key is). Custom headers reach the function untouched: CloudFront's
 * /api behaviour forwards every viewer header but Host (AllViewerExceptHostHeader), and a Lambda
 * proxy integration passes the request's headers in the event (API Gateway developer guide,
 * "Lambda proxy integrations in API Gateway": the request data includes the request headers);
 * the OpenAPI document declares no header parameters, so its request validators never see it.
 */
export const DEVICE_HEADER = "X-Tasklane-Device";

/** A device id: 8 to 64 of A-Z a-z 0-9 _ - (the site makes a UUID: site/src/device.ts). */
export const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/;
