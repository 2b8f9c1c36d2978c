# The authorisation epoch's events watch every session of any process that loads identity (the app, the CLI, the
# demo loader): a cached principal must end with whatever changes it, whoever writes the change.
from chengguan.identity import epoch as epoch
