/**
 * Node 20 runs the local edge fine; the AWS SDK's notice that its future versions will need a newer
 * Node is noise in every local run and test. Uses the SDK's own switch; an explicit setting wins.
 */
export function quietSdkNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
