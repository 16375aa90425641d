#!/usr/bin/python3
"""A DICOM Segmentation (SEG) writer for tests, independent of Lucent: pydicom and numpy.

Reads one JSON job from stdin and writes the SEG to job["out"]:
  source:   the image series it segments: studyInstanceUID, seriesInstanceUID, frameOfReferenceUID,
            patientName, patientID, rows, columns, pixelSpacing [row, col], orientation [6],
            slices [{sopInstanceUID, sopClassUID, position [x, y, z]}] (one per slice)
  segments: [{label, typeMeaning?, description?, spheres: [{centerMm, diameterMm}]}]
  type:     "BINARY" (default) or "FRACTIONAL" (255 inside each sphere, 100 in a one-pixel rim outside it:
            below half the maximum, so not part of the segment)
  shuffle:  an integer seed: the frames in a shuffled order (default: by segment, then slice)
  positions / derivation: write each frame's Plane Position / Derivation Image (default both true)
  referenceSeries: write the Referenced Series Sequence (default true)
  shiftMm:  added to every frame's Image Position (Patient) (frames that lie on no slice)
  empty:    write the frames with every pixel 0
  seriesInstanceUID, contentDate: of the SEG itself
Each sphere marks the voxels whose centres lie within its radius.
"""
import json
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SEG_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"


def code(value, scheme, meaning):
    c = Dataset()
    c.CodeValue = value
    c.CodingSchemeDesignator = scheme
    c.CodeMeaning = meaning
    return c


def main():
    job = json.load(sys.stdin)
    src = job["source"]
    rows, cols = src["rows"], src["columns"]
    row_sp, col_sp = src["pixelSpacing"]
    iop = np.array(src["orientation"], dtype=float)
    u, v = iop[:3], iop[3:]
    fractional = job.get("type", "BINARY") == "FRACTIONAL"
    shift = np.array(job.get("shiftMm", [0, 0, 0]), dtype=float)

    frames = []  # (segment number, slice index, mask uint8)
    for s_index, seg in enumerate(job["segments"], start=1):
        for k, sl in enumerate(src["slices"]):
            origin = np.array(sl["position"], dtype=float)
            cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
            pts = origin[None, None, :] + cc[..., None] * col_sp * u + rr[..., None] * row_sp * v
            mask = np.zeros((rows, cols), dtype=np.uint8)
            for sp in seg["spheres"]:
                d = np.linalg.norm(pts - np.array(sp["centerMm"], dtype=float), axis=-1)
                r = sp["diameterMm"] / 2
                if fractional:
                    mask[(d <= r + max(row_sp, col_sp)) & (mask == 0)] = 100
                    mask[d <= r] = 255
                else:
                    mask[d <= r] = 1
            if mask.any():
                frames.append((s_index, k, np.zeros_like(mask) if job.get("empty") else mask))
    if "shuffle" in job:
        rng = np.random.default_rng(job["shuffle"])
        order = rng.permutation(len(frames))
        frames = [frames[i] for i in order]

    ds = Dataset()
    ds.SOPClassUID = SEG_CLASS
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = src["studyInstanceUID"]
    ds.SeriesInstanceUID = job.get("seriesInstanceUID") or generate_uid()
    ds.FrameOfReferenceUID = src["frameOfReferenceUID"]
    ds.PositionReferenceIndicator = ""
    ds.Modality = "SEG"
    ds.SeriesNumber = 300
    ds.InstanceNumber = 1
    ds.PatientName = src.get("patientName", "")
    ds.PatientID = src.get("patientID", "")
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyDate = "20261201"
    ds.StudyTime = "090000"
    ds.ReferringPhysicianName = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.ContentDate = job.get("contentDate", "20261204")
    ds.ContentTime = "101500"
    ds.Manufacturer = "Test"
    ds.ManufacturerModelName = "segWriter.py"
    ds.DeviceSerialNumber = "1"
    ds.SoftwareVersions = "1"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.ContentLabel = "NODULES"
    ds.ContentDescription = "Nodules"
    ds.ContentCreatorName = "Reader^Test"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = cols
    ds.BitsAllocated = 8 if fractional else 1
    ds.BitsStored = ds.BitsAllocated
    ds.HighBit = ds.BitsAllocated - 1
    ds.PixelRepresentation = 0
    ds.LossyImageCompression = "00"
    ds.SegmentationType = "FRACTIONAL" if fractional else "BINARY"
    if fractional:
        ds.SegmentationFractionalType = "PROBABILITY"
        ds.MaximumFractionalValue = 255

    segs = []
    for s_index, seg in enumerate(job["segments"], start=1):
        item = Dataset()
        item.SegmentNumber = s_index
        item.SegmentLabel = seg["label"]
        if seg.get("description"):
            item.SegmentDescription = seg["description"]
        item.SegmentAlgorithmType = "MANUAL"
        item.SegmentedPropertyCategoryCodeSequence = Sequence(
            [code("49755003", "SCT", "Morphologically Altered Structure")]
        )
        item.SegmentedPropertyTypeCodeSequence = Sequence(
            [code(seg.get("typeValue", "27925004"), seg.get("typeScheme", "SCT"), seg.get("typeMeaning", "Nodule"))]
        )
        segs.append(item)
    ds.SegmentSequence = Sequence(segs)

    dim_org = generate_uid()
    org = Dataset()
    org.DimensionOrganizationUID = dim_org
    ds.DimensionOrganizationSequence = Sequence([org])
    d1 = Dataset()
    d1.DimensionOrganizationUID = dim_org
    d1.DimensionIndexPointer = 0x0062000B
    d1.FunctionalGroupPointer = 0x0062000A
    d2 = Dataset()
    d2.DimensionOrganizationUID = dim_org
    d2.DimensionIndexPointer = 0x00200032
    d2.FunctionalGroupPointer = 0x00209113
    ds.DimensionIndexSequence = Sequence([d1, d2])

    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = [float(x) for x in iop]
    shared.PlaneOrientationSequence = Sequence([po])
    pm = Dataset()
    pm.PixelSpacing = [row_sp, col_sp]
    pm.SliceThickness = src.get("sliceThickness", 1)
    shared.PixelMeasuresSequence = Sequence([pm])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])

    per = []
    for s_index, k, _ in frames:
        sl = src["slices"][k]
        f = Dataset()
        fc = Dataset()
        fc.DimensionIndexValues = [s_index, k + 1]
        f.FrameContentSequence = Sequence([fc])
        if job.get("positions", True):
            pp = Dataset()
            pp.ImagePositionPatient = [float(x) for x in np.array(sl["position"]) + shift]
            f.PlanePositionSequence = Sequence([pp])
        if job.get("derivation", True):
            der = Dataset()
            der.DerivationCodeSequence = Sequence([code("113076", "DCM", "Segmentation")])
            si = Dataset()
            si.ReferencedSOPClassUID = sl["sopClassUID"]
            si.ReferencedSOPInstanceUID = sl["sopInstanceUID"]
            si.PurposeOfReferenceCodeSequence = Sequence([code("121322", "DCM", "Source image for image processing operation")])
            der.SourceImageSequence = Sequence([si])
            f.DerivationImageSequence = Sequence([der])
        sid = Dataset()
        sid.ReferencedSegmentNumber = s_index
        f.SegmentIdentificationSequence = Sequence([sid])
        per.append(f)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per)
    ds.NumberOfFrames = len(frames)

    if job.get("referenceSeries", True):
        rs = Dataset()
        rs.SeriesInstanceUID = src["seriesInstanceUID"]
        refs = []
        for sl in src["slices"]:
            r = Dataset()
            r.ReferencedSOPClassUID = sl["sopClassUID"]
            r.ReferencedSOPInstanceUID = sl["sopInstanceUID"]
            refs.append(r)
        rs.ReferencedInstanceSequence = Sequence(refs)
        ds.ReferencedSeriesSequence = Sequence([rs])

    stack = np.stack([m for _, _, m in frames]) if frames else np.zeros((0, rows, cols), np.uint8)
    if fractional:
        data = stack.astype(np.uint8).tobytes()
    else:
        data = np.packbits(stack.reshape(-1), bitorder="little").tobytes()
    if len(data) % 2:
        data += b"\0"
    ds.PixelData = data
    ds["PixelData"].VR = "OB"

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SEG_CLASS
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(job["out"], write_like_original=False)
    json.dump({"frames": len(frames)}, sys.stdout)


if __name__ == "__main__":
    main()
