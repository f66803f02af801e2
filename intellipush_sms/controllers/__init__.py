from . import access
from . import link_tracker
