#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app';

// Composition root: `cdk synth` / `cdk deploy` (optionally -c config=… -c mode=attach -c restApiId=…).
const app = new App();
buildApp(app);
app.synth();
