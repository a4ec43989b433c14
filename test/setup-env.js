// Tests run on the machine's Node.js (20.19+): silence the AWS SDK's notice about its future Node requirement.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
