"""Messages to people outside the platform (SMS), behind an adapter so a real gateway can be plugged in."""
