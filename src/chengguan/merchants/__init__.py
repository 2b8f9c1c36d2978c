"""The merchant register (商户档案, 一店一码): shops a bureau supervises, linked to cases and the shop portal."""
