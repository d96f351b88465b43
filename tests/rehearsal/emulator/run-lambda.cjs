/**
 * Runs one Lambda handler from an unpacked deployment zip, as the Lambda runtime would, for moto_rehearsal.py's
 * custom resources (moto runs Lambda code only in Docker, which this machine lacks).
 *
 * node run-lambda.cjs <folder> <handler: file.export> <function ARN> <answer file> < event.json
 *
 * A custom resource answers CloudFormation by an HTTPS PUT to the event's ResponseURL (an S3 pre-signed URL on AWS).
 * Here that one request is captured instead of sent: its JSON body is written to <answer file>, which the launcher
 * applies to the stack. Every other request (the handler's AWS SDK calls) goes where AWS_ENDPOINT_URL points.
 * CommonJS because the framework's custom-resource handlers are CommonJS, loaded with require().
 */
'use strict';

const https = require('node:https');
const { EventEmitter } = require('node:events');
const { writeFileSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [folder, handlerName, functionArn, answerFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(0, 'utf8'));
const responseUrl = new URL(event.ResponseURL);

const sendHttps = https.request;
https.request = function captureCloudFormationResponse(options, callback) {
  const host = typeof options === 'string' ? new URL(options).hostname : options.hostname ?? options.host;
  const path = typeof options === 'string' ? new URL(options).pathname : options.path;
  if (host !== responseUrl.hostname || !String(path).startsWith(responseUrl.pathname)) return sendHttps.apply(this, arguments);
  const chunks = [];
  const request = new EventEmitter();
  request.write = (chunk) => { chunks.push(Buffer.from(chunk)); return true; };
  request.end = (chunk) => {
    if (chunk) request.write(chunk);
    writeFileSync(answerFile, Buffer.concat(chunks));
    const response = new EventEmitter();
    response.statusCode = 200;
    response.headers = {};
    setImmediate(() => { callback?.(response); response.emit('end'); });
  };
  request.setTimeout = () => request;
  request.on = EventEmitter.prototype.on;
  return request;
};

const dot = handlerName.lastIndexOf('.');
const handler = require(join(folder, handlerName.slice(0, dot)))[handlerName.slice(dot + 1)];
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  invokedFunctionArn: functionArn,
  awsRequestId: event.RequestId,
  logStreamName: `rehearsal/${event.RequestId}`,
  getRemainingTimeInMillis: () => 60_000,
};
Promise.resolve(handler(event, context)).then(
  () => process.exit(0),
  (error) => { console.error(error); process.exit(1); },
);
