"""Notices with legal effect to shops (温馨提醒 and 责令（限期）整改通知), the shop's rectification and the officer's
check of it, and warning first (首违不罚, 《行政处罚法》第三十三条): non-contact enforcement's first step."""
