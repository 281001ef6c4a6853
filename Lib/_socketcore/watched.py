"""What every socket state shares with select/poll/epoll: its readiness mask, the watchers
those register on it, and the one way a change is published.

A state class mixing this in has `lock` (a ReentrantLock), `changed` (a Condition of it)
and `watchers` (a tuple, replaced rather than mutated, so that waking them needs no lock).
"""
from _socketcore import readiness


class Watched(object):
    """Readiness and watchers of one socket state (see the module docstring)."""

    def poll_mask(self):
        """The poll(2) events true of this state now (readiness rules, under the lock)."""
        self.lock.lock()
        try:
            return readiness.poll_mask(self)
        finally:
            self.lock.unlock()

    def add_watcher(self, watcher):
        self.lock.lock()
        try:
            self.watchers = self.watchers + (watcher,)
        finally:
            self.lock.unlock()

    def remove_watcher(self, watcher):
        self.lock.lock()
        try:
            items = list(self.watchers)
            if watcher in items:
                items.remove(watcher)
            self.watchers = tuple(items)
        finally:
            self.lock.unlock()

    def _signal(self):
        """Wake blocked callers (lock held) -- then, after unlock, the watchers."""
        self.changed.signalAll()

    def _wake_watchers(self):
        for watcher in self.watchers:
            watcher.wake(self)

    def _update(self, change, *args):
        """Apply `change(*args)` under the lock, wake waiters, then (unlocked) the watchers."""
        self.lock.lock()
        try:
            result = change(*args)
            self._signal()
        finally:
            self.lock.unlock()
        self._wake_watchers()
        return result
