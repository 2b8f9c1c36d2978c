"""The local simulated payment gateway (dev and test only): a channel that behaves like WeChat Pay API v3 — its own
RSA key pair and API v3 key in the instance's data directory, its own books, a pay page on the app, callbacks
signed and encrypted as the real one sends them — so the platform's real verification path runs end to end.

``gateway`` is the channel's side (books, signing); ``adapter`` is the platform's adapter talking to it, which
verifies with public material only; ``api`` serves the pay page's calls. Refused when CHENGGUAN_ENV=production."""
