"""Mesa's DataCollector without the per-quarter deep copy of values that cannot change.

``mesa.DataCollector.collect`` stores ``deepcopy(reporter(model))`` for every model reporter, so that a value
the model later mutates is not changed in the record. Our reporters return Python or numpy scalars, which are
immutable: their copy is the same value (a numpy scalar's copy has the same dtype and bits). :class:`Collector`
stores those as they are and deep-copies anything else, as Mesa does; the records, hence
``get_model_vars_dataframe()``, are the same. Agent and agent-type records are Mesa's own code.
"""

from __future__ import annotations

import types
from copy import deepcopy
from functools import partial

import mesa
import numpy as np

SCALARS = frozenset((float, int, bool, str, type(None)))   # exact types: a subclass could carry mutable state


class Collector(mesa.DataCollector):
    """A :class:`mesa.DataCollector` whose :meth:`collect` skips copying immutable scalars."""

    def collect(self, model):
        reporters = self.model_reporters
        plain = getattr(self, "_plain", None)
        if plain is None:   # reporters are declared at construction: checked once
            plain = self._plain = all(isinstance(r, types.FunctionType | partial) for r in reporters.values())
        if not plain:
            return super().collect(model)   # attribute names, methods, [f, args]: Mesa's own path
        scalar = SCALARS.__contains__
        if reporters:
            if hasattr(self, "_collection_steps"):
                self._collection_steps.append(model.time)
            if not self._validated:
                for name, reporter in reporters.items():
                    self._validate_model_reporter(name, reporter, model)
            model_vars = self.model_vars
            for var, reporter in reporters.items():
                value = reporter(model)
                model_vars[var].append(value if scalar(type(value)) or isinstance(value, np.generic) else deepcopy(value))
        if self.agent_reporters:
            self._agent_records[model.time] = list(self._record_agents(model))
        if self.agenttype_reporters:
            self._agenttype_records[model.time] = {}
            for agent_type in self.agenttype_reporters:
                self._agenttype_records[model.time][agent_type] = list(self._record_agenttype(model, agent_type))
