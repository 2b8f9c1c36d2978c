"""码上付: paying a fine online (《行政处罚法》第六十七条 via the electronic payment system, 第七十二条 late fee live),
the payment channel's signed callbacks, electronic receipts, daily reconciliation, and the officers' on-the-spot
collection with its two-day hand-in (第六十八条至第七十一条)."""
