"""Writes one case: CT Image Storage slices (Explicit VR Little Endian, file meta) and truth.json."""
import json
import os

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, generate_uid

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
GENERATOR = "lucent-chestgen/1"


def _ds(v):
    s = f"{float(v):.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _uid(seed, index, *parts):
    return generate_uid(entropy_srcs=["lucent-chestgen/1", str(seed), str(index)] + [str(p) for p in parts])


def orientation(position, ffs_flip):
    """(ImageOrientationPatient, flip rows, flip columns) for a patient position."""
    if position == "HFP":
        return [-1, 0, 0, 0, -1, 0], True, True
    if position == "FFS" and ffs_flip:
        return [-1, 0, 0, 0, 1, 0], False, True
    return [1, 0, 0, 0, 1, 0], False, False


def write_case(folder, name, vol, info):
    """vol: torch/numpy [n_slices, n, n] HU (rounded), canonical (rows +y, columns +x, ascending z)."""
    p, g, anat = info["p"], info["g"], info["anat"]
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        if f.endswith(".dcm") or f == "truth.json":
            os.remove(os.path.join(folder, f))
    v = vol.numpy() if hasattr(vol, "numpy") else np.asarray(vol)
    stored_all = np.clip(v + 1024, 0, 65535).astype("<u2")
    n_s, n, _ = v.shape
    iop, flip_r, flip_c = orientation(p.position, p.ffs_flip)
    seed, index = p.seed, p.index
    study = _uid(seed, index, "study")
    series = _uid(seed, index, "series")
    frame = _uid(seed, index, "frame")
    date = f"20{20 + (seed + index) % 6:02d}{1 + index % 12:02d}{1 + (seed * 7 + index) % 28:02d}"
    head_first = p.position in ("HFS", "HFP")
    order = list(range(n_s - 1, -1, -1)) if head_first else list(range(n_s))
    names = [f"IM{i + 1:04d}.dcm" for i in range(n_s)]
    if p.shuffle_names:
        perm = np.random.default_rng([seed, index, 77]).permutation(n_s)
        names = [names[i] for i in perm]
    wc, ww = (-600, 1500) if p.window == "lung" else (40, 400)
    kernel_name = info["kernel_name"]
    for inst, k in enumerate(order, start=1):
        z = float(g.z_out[k])
        a = stored_all[k]
        if flip_r:
            a = a[::-1, :]
        if flip_c:
            a = a[:, ::-1]
        x_first = g.x0 + (n - 1) * g.s if flip_c else g.x0
        y_first = g.y0 + (n - 1) * g.s if flip_r else g.y0
        sop = _uid(seed, index, "sop", inst)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        path = os.path.join(folder, names[inst - 1])
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SOPClassUID = CT_IMAGE
        ds.SOPInstanceUID = sop
        ds.StudyDate = date
        ds.SeriesDate = date
        ds.StudyTime = "120000"
        ds.AccessionNumber = ""
        ds.Modality = "CT"
        ds.Manufacturer = "Lucent synthetic"
        ds.ManufacturerModelName = "chestgen"
        ds.StudyDescription = "CT CHEST"
        ds.SeriesDescription = f"CHEST {g.thickness:g}mm {kernel_name}"
        ds.PatientName = "SYNTH^CHESTGEN"
        ds.PatientID = f"CHESTGEN-{seed}-{index + 1:04d}"
        ds.PatientBirthDate = ""
        ds.PatientSex = p.sex
        ds.BodyPartExamined = "CHEST"
        ds.SliceThickness = _ds(g.thickness)
        ds.SpacingBetweenSlices = _ds(g.spacing)
        ds.KVP = str(p.kvp)
        ds.ConvolutionKernel = kernel_name
        ds.PatientPosition = p.position
        if anat.contrast != "none":
            ds.ContrastBolusAgent = "IODINATED"
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.StudyID = "1"
        ds.SeriesNumber = 2
        ds.AcquisitionNumber = 1
        ds.InstanceNumber = inst
        ds.ImagePositionPatient = [_ds(x_first), _ds(y_first), _ds(z)]
        ds.ImageOrientationPatient = [str(x) for x in iop]
        ds.FrameOfReferenceUID = frame
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = _ds(z)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = n
        ds.Columns = n
        ds.PixelSpacing = [_ds(g.s), _ds(g.s)]
        ds.BitsAllocated = 16
        ds.BitsStored = p.bits_stored
        ds.HighBit = p.bits_stored - 1
        ds.PixelRepresentation = 0
        ds.WindowCenter = str(wc)
        ds.WindowWidth = str(ww)
        ds.RescaleIntercept = "-1024"
        ds.RescaleSlope = "1"
        ds.RescaleType = "HU"
        ds.PixelData = np.ascontiguousarray(a).tobytes()
        pydicom.dcmwrite(path, ds, write_like_original=False)
    truth = {"schema": "lucent.truth/1", "case": name, "generator": GENERATOR, "nodules": info["truth"]}
    with open(os.path.join(folder, "truth.json"), "w", encoding="utf8") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
