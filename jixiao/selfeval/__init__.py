"""Self-evaluation (绩效自评): the 自评表 workbook and its scoring.

- :mod:`.model`: the self-evaluation as read from its workbook, and its forms;
- :mod:`.reading` and :mod:`.writer`: the workbook in and out (blank, pre-filled, scored copy);
- :mod:`.prefill`: a 自评表 made from the year's targets;
- :mod:`.grading`: each sheet scored (the arithmetic in :mod:`.scoring`) and its findings;
- :mod:`.subtargets`: the 分项绩效目标's indicators read out of their text.
"""
