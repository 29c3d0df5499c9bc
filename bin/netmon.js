#!/usr/bin/env node
// Entry point of the compiled daemon and CLI (`npm run build` writes dist/).
import '../dist/src/cli.js';
