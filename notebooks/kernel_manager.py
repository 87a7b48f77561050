"""The kernel manager notebooks/run gives nbconvert for the Java kernel (rapaio-jupyter-kernel 3.0.1).

That kernel binds its sockets a moment before it installs its message handlers, and a request that arrives in
between kills its shell thread; the client then waits in vain for a reply. jupyter_client sends its first
kernel_info request before the kernel even listens, so without care that request lands in exactly that moment
about half the time. This manager holds the client back until the kernel's shell port is listening (read from the
kernel's side, in /proc/net/tcp, without connecting to it: the kernel's ZeroMQ sockets do not take kindly to probes)
and a second more has passed; only then does nbclient send its first request.

(Independently of this, about one kernel start in five leaves a socket that never receives anything; notebooks/run
starts the notebook again when the kernel does not answer.)
"""
import asyncio
import os
import time

from jupyter_client.manager import AsyncKernelManager

LISTEN_TIMEOUT_S = 120  # a JVM loading Spark's class path on a busy 2-core machine
SETTLE_S = 1.0  # from listening to handlers installed takes microseconds; leave ample room
FALLBACK_WAIT_S = 15  # without /proc/net/tcp (not Linux): a plain wait


def _listening(port):
    """Whether some socket of this machine listens on TCP port {port}, or None when that cannot be told."""
    tables = [t for t in ("/proc/net/tcp", "/proc/net/tcp6") if os.path.exists(t)]
    if not tables:
        return None
    for table in tables:
        with open(table) as f:
            next(f)  # header
            for line in f:
                fields = line.split()
                local, state = fields[1], fields[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    return True
    return False


class PatientKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose start_kernel returns once the kernel listens on its shell port."""

    async def post_start_kernel(self, **kw):
        deadline = time.monotonic() + LISTEN_TIMEOUT_S
        while time.monotonic() < deadline and await self.is_alive():
            listening = _listening(self.shell_port)
            if listening is None:
                await asyncio.sleep(FALLBACK_WAIT_S)
                break
            if listening:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(SETTLE_S)
        await super().post_start_kernel(**kw)
