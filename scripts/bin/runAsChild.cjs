'use strict';
// Runs a command in this process's place: the same stdio, the stop signals passed on (SIGINT, SIGTERM,
// SIGHUP), and its exit status as ours, 128 + the signal's number when a signal ended it (as a shell reports).
// Without the forwarding, a SIGTERM sent to the launcher would end the launcher and leave the command running.
const { spawn } = require('node:child_process');
const os = require('node:os');

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function runAsChild(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on('error', (error) => {
    // Only a failed start ends the launcher; a signal the child can no longer receive is of no consequence.
    if (child.pid !== undefined) return;
    process.stderr.write(`jitmigrate: could not start ${command} (${error.code || 'unknown error'})\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code !== null ? code : 128 + (os.constants.signals[signal] || 0));
  });
}

module.exports = { runAsChild, FORWARDED_SIGNALS };
