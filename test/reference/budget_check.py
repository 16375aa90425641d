"""Runs models/training/common.py's CpuBudget as train.py and fpr.py do (`while budget.left(step)`), with a
step budget and with a CPU-time one, and prints one JSON object. Used by test/unit/training-budget.test.ts,
which states what the answers must be.
Usage: budget_check.py TRAINING_DIR
"""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])
from common import CpuBudget  # noqa: E402


def run(budget: CpuBudget, work_s: float) -> dict:
    step = 0
    rates = []
    while budget.left(step):
        rates.append(budget.lr(2e-3, step, 10))
        end = time.process_time() + work_s  # a step's work: CPU time, as training spends it
        while time.process_time() < end:
            pass
        step += 1
    return {"steps": step, "first": rates[0], "peak": max(rates), "last": rates[-1], "fractionAtEnd": budget.fraction(step)}


by_steps = run(CpuBudget(minutes=0.001, threads=1, steps=120), 0.0)
# The same step budget when each step costs CPU time: the minutes no longer bound it.
slow_steps = run(CpuBudget(minutes=0.0005, threads=1, steps=40), 0.002)
by_time = run(CpuBudget(minutes=0.005, threads=1), 0.002)
print(json.dumps({"bySteps": by_steps, "slowSteps": slow_steps, "byTime": by_time}))
