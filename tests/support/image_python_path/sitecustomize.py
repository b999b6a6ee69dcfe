"""Put on PYTHONPATH of the production services that tests/production runs on this machine, Python loads this at
start-up: it makes the modules of the packages the image does not install (IMAGE_ABSENT_MODULES, comma separated,
worked out from the requirements files) unimportable, so a service that would need one fails here as in its
container instead of finding it in the development virtualenv."""

import os
import sys


class _NotInTheImage:
    def __init__(self, names: frozenset[str]):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not installed in the production image)",
                                      name=fullname)
        return None


_absent = frozenset(filter(None, os.environ.get("IMAGE_ABSENT_MODULES", "").split(",")))
if _absent:
    sys.meta_path.insert(0, _NotInTheImage(_absent))
