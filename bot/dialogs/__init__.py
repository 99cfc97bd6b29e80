"""Channel-neutral dialogs. Adapters call `Dialogs.handle(incoming)` and render the replies."""

from bot.dialogs.engine import Dialogs
from bot.dialogs.turn import Turn

__all__ = ["Dialogs", "Turn"]
