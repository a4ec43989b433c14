/**
 * One Lambda "container" for the AWS-parity runner (test/aws/lambda-runner.ts): a Node process whose
 * environment is the function's deployed environment, which loads the bundled handler from its cdk.out
 * asset folder (argv: folder, `file.export` handler) once and runs one invocation at a time, as Lambda does.
 * The AWS SDK is external to the bundles (the Lambda runtime provides it): the runner links the repository's beside them.
 */
'use strict';
const { join } = require('node:path');
const { randomUUID } = require('node:crypto');

const [dir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf('.');
const file = join(dir, `${handlerSpec.slice(0, dot)}.js`);
const exportName = handlerSpec.slice(dot + 1);
let handler;

process.on('message', async ({ id, event, timeoutMs }) => {
  const started = Date.now();
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', awsRequestId: randomUUID(),
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    handler ??= require(file)[exportName];
    if (typeof handler !== 'function') throw new Error(`${file} exports no function ${exportName}`);
    const result = await handler(event, context);
    process.send({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ id, ok: false, error: { name: err && err.name, message: err && err.message, stack: err && err.stack } });
  }
});
process.send({ ready: true });
