"""AI video patrol (智能巡查): the camera register's 第四十一条 reviews, zones and rules per camera, the event engine
that turns tracked detections into one alarm per real event, the detector worker and vendor AI-box adapters."""
