// Starts the agent console. A separate file (served as /console/boot.js) because the console's
// Content-Security-Policy allows only same-origin scripts, no inline ones.
import init from './pkg/console.js';

init().catch((e) => console.error('[console] failed to start', e));
