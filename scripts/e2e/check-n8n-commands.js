#!/usr/bin/env node
/*
 * Loads n8n commands the way n8n's own bin/n8n prepares the process (config, reflect-metadata,
 * zod alias support), one by one, so that a broken install (a missing dependency) fails here with
 * the module's name rather than later as 'Command "start" not found'.
 *
 *   node check-n8n-commands.js <install dir> start execute worker import/workflow import/credentials
 */
'use strict';
const path = require('path');

const dir = path.resolve(process.argv[2], 'node_modules/n8n');
process.env.NODE_CONFIG_DIR = path.join(dir, 'config');
const load = require('module').createRequire(path.join(dir, 'bin/n8n'));
load('reflect-metadata');
load('../dist/config');
load('../dist/zod-alias-support');
let bad = 0;
for (const command of process.argv.slice(3)) {
	try {
		load(`../dist/commands/${command}.js`);
	} catch (error) {
		bad++;
		console.error(
			`n8n command '${command}' does not load: ${String(error && error.message).split('\n')[0]}`,
		);
	}
}
process.exit(bad ? 1 : 0);
