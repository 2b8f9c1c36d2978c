"""一张图的底图与工具 (maps): the offline base drawn from the platform's own data, the configured online base
layers, place search, and track playback (轨迹回放) over the fixes dispatching keeps."""
