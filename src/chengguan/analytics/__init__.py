"""Analytics (数据分析研判): the cube, trends, rankings, hotspots, 吻合度, handling times, reports, the snapshot."""
