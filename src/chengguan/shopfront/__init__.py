"""The merchant H5 behind the shop's QR code (一店一码): the public shop page with its obligations, claiming the
shop, its details, its reports (channel ``merchant``), and the party's procedure rights online (陈述申辩、听证)."""
