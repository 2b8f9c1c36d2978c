"""IoT over MQTT (物联网统一感知接入): device registry, HJ 212 codec, rule engine, the MQTT bridge and device health."""
