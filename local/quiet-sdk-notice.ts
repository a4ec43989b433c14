/**
 * The local runtime runs on the Node.js it finds (20.19+); the AWS SDK's notice about its own future Node
 * requirement would only be noise at every start (Lambda runs Node.js 22). Imported first by main.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
