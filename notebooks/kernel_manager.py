"""The kernel manager notebooks/run gives nbconvert for the Java kernel (rapaio-jupyter-kernel).

That kernel binds its sockets a moment before it installs its message handlers, and a request that arrives in
between kills its shell thread: the client then waits in vain for the kernel's reply. jupyter_client queues its
first kernel_info request before the kernel even listens, so that request lands in exactly that moment about half
the time. This manager holds the client back until the kernel's shell port accepts connections and a second more has
passed; only then does nbclient send its first request.
"""
import asyncio
import socket
import time

from jupyter_client.manager import AsyncKernelManager

LISTEN_TIMEOUT_S = 120  # a JVM loading Spark's class path on a busy 2-core machine
SETTLE_S = 1.0  # from bind to handlers installed takes microseconds; leave ample room


def _listening(ip, port):
    try:
        with socket.create_connection((ip, port), timeout=0.5):
            return True
    except OSError:
        return False


class PatientKernelManager(AsyncKernelManager):
    """An AsyncKernelManager that returns from start_kernel only once the kernel listens on its shell port."""

    async def post_start_kernel(self, **kw):
        deadline = time.monotonic() + LISTEN_TIMEOUT_S
        while not _listening(self.ip, self.shell_port) and time.monotonic() < deadline:
            if not await self.is_alive():
                break  # the kernel died: let nbclient report it
            await asyncio.sleep(0.2)
        await asyncio.sleep(SETTLE_S)
        await super().post_start_kernel(**kw)
