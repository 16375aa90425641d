"""DICOM CT Image Storage writer (pydicom)."""
import datetime
import os

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from util import uid, stream

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
IMPL_UID = "2.25.302470775512473301358442313283476811811"


def storage_params(kind):
    """(pixel representation, bits stored, intercept, lo, hi) of a storage variant."""
    return {
        "u12_1024": (0, 12, -1024.0, 0, 4095),
        "u16_1024": (0, 16, -1024.0, 0, 65535),
        "s16_1024": (1, 16, -1024.0, -32768, 32767),
        "s16_0": (1, 16, 0.0, -32768, 32767),
        "u16_8192": (0, 16, -8192.0, 0, 65535),
    }[kind]


class SeriesWriter:
    def __init__(self, case, out_dir):
        self.case = case
        sc, pt = case.sc, case.pt
        seed, idx = case.seed, case.idx
        R = stream(seed, idx, "dicom")
        self.R = R
        self.out = out_dir
        # nested folders
        # always at least one folder level, so that truth.json is not inside the series folder
        depth = int(R.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        sub = []
        for _ in range(depth):
            sub.append("".join(R.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), size=int(R.integers(4, 9)))))
        self.dir = os.path.join(out_dir, *sub)
        self.rel = "/".join(sub)
        os.makedirs(self.dir, exist_ok=True)
        self.pr, self.bits, self.icpt, self.lo, self.hi = storage_params(sc.storage)
        self.uids = {k: uid(seed, idx, k) for k in ("study", "series", "for")}
        base = datetime.date(2019, 1, 1) + datetime.timedelta(days=int(R.integers(0, 2000)))
        tm = f"{int(R.integers(7, 19)):02d}{int(R.integers(0, 60)):02d}{int(R.integers(0, 60)):02d}"
        self.date = base.strftime("%Y%m%d")
        self.time = tm
        birth = base.year - pt.age
        self.birth = f"{birth}{int(R.integers(1, 13)):02d}{int(R.integers(1, 28)):02d}"
        self.name_style = int(R.integers(0, 3))
        self.kvp = sc.kvp
        self.ma = int(np.clip(sc.ctdi * R.uniform(8, 15) * (120 / sc.kvp) ** 2.5 * 2, 10, 800))
        ds = Dataset()
        ds.SOPClassUID = CT_IMAGE
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = self.date
        ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = self.time
        ds.AccessionNumber = ""
        ds.ReferringPhysicianName = ""
        ds.Manufacturer = sc.vendor[0]
        ds.ManufacturerModelName = sc.vendor[1]
        ds.SoftwareVersions = "indep-1.0"
        ds.InstitutionName = "Synthetic Phantom Lab"
        ds.StationName = "PHANTOM"
        ds.StudyDescription = "CHEST CT (SYNTHETIC)"
        ds.SeriesDescription = f"CHEST {sc.T:g}mm {sc.kernel}" + (" LOW DOSE" if sc.ctdi < 3 else "")
        ds.PatientName = f"INDEP^CASE{idx:04d}"
        ds.PatientID = f"INDEP-{idx:04d}"
        ds.PatientBirthDate = self.birth
        ds.PatientSex = pt.sex
        ds.PatientAge = f"{pt.age:03d}Y"
        ds.BodyPartExamined = "CHEST"
        ds.ScanOptions = "HELICAL MODE"
        ds.SliceThickness = f"{sc.T:g}"
        ds.KVP = str(sc.kvp)
        ds.DataCollectionDiameter = "500"
        ds.ReconstructionDiameter = f"{case.grid.px * 512:.2f}"
        ds.GantryDetectorTilt = "0"
        ds.TableHeight = f"{case.table.V_surface + 60:.1f}"
        ds.RotationDirection = "CW"
        ds.ExposureTime = str(int(R.integers(400, 1000)))
        ds.XRayTubeCurrent = str(self.ma)
        ds.Exposure = str(max(1, int(self.ma * 0.5)))
        ds.ConvolutionKernel = sc.kernel
        ds.PatientPosition = sc.position
        ds.CTDIvol = round(float(sc.ctdi), 2)
        ph = Dataset()
        ph.CodeValue = "113691"
        ph.CodingSchemeDesignator = "DCM"
        ph.CodeMeaning = "IEC Body Dosimetry Phantom"
        ds.CTDIPhantomTypeCodeSequence = [ph]
        if pt.contrast:
            ds.ContrastBolusAgent = "IODINATED CONTRAST"
        ds.StudyInstanceUID = self.uids["study"]
        ds.SeriesInstanceUID = self.uids["series"]
        ds.StudyID = f"{idx + 1000}"
        ds.SeriesNumber = str(int(R.integers(2, 9)))
        ds.AcquisitionNumber = "1"
        ds.FrameOfReferenceUID = self.uids["for"]
        ds.PositionReferenceIndicator = ""
        ds.ImageOrientationPatient = [f"{sc.sx:d}", "0", "0", "0", f"{sc.cy:d}", "0"]
        ds.PixelSpacing = [f"{case.grid.px:.6f}", f"{case.grid.px:.6f}"]
        ds.SpacingBetweenSlices = f"{sc.spacing:g}"
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = 512
        ds.Columns = 512
        ds.BitsAllocated = 16
        ds.BitsStored = self.bits
        ds.HighBit = self.bits - 1
        ds.PixelRepresentation = self.pr
        ds.RescaleIntercept = f"{self.icpt:g}"
        ds.RescaleSlope = "1"
        ds.RescaleType = "HU"
        if sc.kclass in ("lung", "sharp"):
            ds.WindowCenter, ds.WindowWidth = "-600", "1500"
        else:
            ds.WindowCenter, ds.WindowWidth = "40", "400"
        if sc.pad:
            pv = int(sc.pad_value - self.icpt)
            ds.add_new(0x00280120, "SS" if self.pr else "US", pv)
        self.base = ds
        n = len(case.zs)
        order = np.arange(n)
        if sc.position.startswith("HF"):
            inst = n - order  # slice with highest z first
        else:
            inst = order + 1
        if sc.reverse_numbering:
            inst = n + 1 - inst
        self.inst = inst
        self.names = set()

    def _fname(self, k):
        R = self.R
        while True:
            st = self.name_style
            if st == 0:
                nm = "".join(R.choice(list("0123456789abcdef"), size=16))
            elif st == 1:
                nm = f"IM{int(R.integers(0, 10 ** 6)):06d}"
            else:
                nm = "".join(R.choice(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), size=8)) + ".dcm"
            if nm not in self.names:
                self.names.add(nm)
                return nm

    def _segments(self):
        """Serialise the constant part of the dataset once, split around the per-slice elements."""
        from pydicom.filebase import DicomBytesIO
        from pydicom.filewriter import write_dataset
        ds = self.base
        explicit = self.case.sc.explicit
        cuts = [0x00080018, 0x00200013, 0x00200032, 0x00201041, 0x7FE00010]
        parts = []
        lo = 0
        for c in cuts + [0xFFFFFFFF]:
            sub = Dataset()
            for el in ds:
                if lo <= int(el.tag) < c and int(el.tag) not in cuts:
                    sub.add(el)
            fp = DicomBytesIO()
            fp.is_little_endian = True
            fp.is_implicit_VR = not explicit
            write_dataset(fp, sub)
            parts.append(fp.getvalue())
            lo = c
        self.parts = parts

    def _enc(self, el):
        from pydicom.filebase import DicomBytesIO
        from pydicom.filewriter import write_dataset
        sub = Dataset()
        sub.add(el)
        fp = DicomBytesIO()
        fp.is_little_endian = True
        fp.is_implicit_VR = not self.case.sc.explicit
        write_dataset(fp, sub)
        return fp.getvalue()

    def write(self, k, hu):
        from pydicom.dataelem import DataElement
        from pydicom.filebase import DicomBytesIO
        from pydicom.filewriter import write_file_meta_info
        case, sc = self.case, self.case.sc
        if not hasattr(self, "parts"):
            self._segments()
        stored = np.rint(hu - self.icpt)
        stored = np.clip(stored, self.lo, self.hi)
        arr = stored.astype(np.int16 if self.pr else np.uint16)
        z = float(case.zs[k])
        g = case.grid
        sop = uid(case.seed, case.idx, f"sop-{k}")
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian if sc.explicit else ImplicitVRLittleEndian
        meta.ImplementationClassUID = IMPL_UID
        meta.ImplementationVersionName = "LUCENT_INDEP_1"
        fp = DicomBytesIO()
        fp.is_little_endian = True
        fp.is_implicit_VR = False
        write_file_meta_info(fp, meta, enforce_standard=True)
        els = [DataElement(0x00080018, "UI", sop),
               DataElement(0x00200013, "IS", str(int(self.inst[k]))),
               DataElement(0x00200032, "DS", [f"{g.x0:.4f}", f"{g.y0:.4f}", f"{z:.4f}"]),
               DataElement(0x00201041, "DS", f"{z:.4f}"),
               DataElement(0x7FE00010, "OW", arr.tobytes())]
        P = self.parts
        out = [b"\x00" * 128, b"DICM", fp.getvalue(), P[0]]
        for i, el in enumerate(els):
            out.append(self._enc(el))
            out.append(P[i + 1])
        path = os.path.join(self.dir, self._fname(k))
        with open(path, "wb") as f:
            f.write(b"".join(out))
        return path
