#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (built by `npm install` through the prepare script).
import '../dist/cli/run.js';
