"""The public's side: the citizens' report H5 with tracking, and the 执法公示 pages (no login)."""
