"""Command and dispatch (指挥调度): positions, the nearest officers, dispatch orders, the live map.

Importing the package registers its dispatch desk with intake (``intake.hooks``), which calls it from a case source's
actions: wherever a dispatching module is loaded, a source's dispatch creates its order."""

from chengguan.dispatching import assignments as assignments
