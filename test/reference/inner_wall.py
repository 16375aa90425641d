"""Answers where models/training/dataset.py's `inner_wall` finds lung beyond the tissue a pasted nodule
touches, on a synthetic axial slice; prints one JSON object.

Used by test/unit/inner-wall.test.ts, which states what the answers must be. Usage:
inner_wall.py TRAINING_DIR
"""
import json
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
from dataset import inner_wall  # noqa: E402

# A 1 mm grid, 240 rows x 320 columns: a body (ellipse) holding two lungs (ellipses) 40 mm apart across the
# mediastinum; the right lung holds the dome of the diaphragm cut across (a disc of tissue, 30 mm wide) and a
# vessel (a 4 mm disc) 12 mm inside its outer edge.
H, W = 240, 320
yy, xx = np.mgrid[0:H, 0:W]
body = ((xx - 160) / 150) ** 2 + ((yy - 120) / 110) ** 2 <= 1
right = ((xx - 90) / 60) ** 2 + ((yy - 120) / 80) ** 2 <= 1  # columns 30-150
left = ((xx - 230) / 40) ** 2 + ((yy - 120) / 80) ** 2 <= 1  # columns 190-270
lung = (right | left) & body
dome = (xx - 80) ** 2 + (yy - 170) ** 2 <= 15**2
vessel = (xx - 42) ** 2 + (yy - 120) ** 2 <= 2**2
lung &= ~dome & ~vessel

out = {
    # beside the mediastinum, walking toward it (+x): the left lung lies 40 mm beyond
    "mediastinum": inner_wall(lung, 120, 145, 0.0, 1.0),
    # beside the chest wall, walking toward it (-x, passing nothing but lung before the wall)
    "chestWall": inner_wall(lung, 90, 40, 0.0, -1.0),
    # beside the dome's disc, walking into it (+y): lung again beyond its 30 mm
    "dome": inner_wall(lung, 150, 80, 1.0, 0.0),
    # walking toward the chest wall across a 4 mm vessel first: the vessel is not a wall with lung beyond
    "vesselOnTheWay": inner_wall(lung, 120, 50, 0.0, -1.0),
    # the same walk toward the mediastinum, but the lung beyond lies farther than the walk's limit
    "beyondLimit": inner_wall(lung, 120, 145, 0.0, 1.0, limit_px=30),
    # no direction
    "noDirection": inner_wall(lung, 120, 145, 0.0, 0.0),
    # the direction's length does not matter
    "scaled": inner_wall(lung, 120, 145, 0.0, 7.5),
}
print(json.dumps(out))
