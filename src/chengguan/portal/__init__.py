"""The merchant portal (商户端): a party who consented to electronic service through the portal (电子送达确认书,
《行政处罚法》第六十一条第二款) logs in with the consent's phone number and a one-time SMS code and sees the
documents served to that number; opening one is the time of service, as with the SMS link."""
