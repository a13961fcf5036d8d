"""What other areas may react to: ``import_completed`` is sent after an import stored its records
(``organisation``, ``job``), so that figures computed from the store can be brought up to date."""

from django.dispatch import Signal

import_completed = Signal()
