/** Child processes this process started (local servers, drill roles): killed when it exits, so an aborted run leaves none behind. */
import { type ChildProcess } from 'node:child_process';

/** Children still running; killed when this process exits so no test run leaves servers behind. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}
