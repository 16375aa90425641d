"""DICOM CT Image Storage writing for lucent-gen3 (pydicom)."""
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2'
IMPL_UID = '2.25.271046611894018853367290143012748520593'


def uid(rng):
    return '2.25.' + str(int.from_bytes(rng.bytes(15), 'big'))


def make_series_meta(rng, case_no, c, scan):
    m = {}
    m['study'] = uid(rng)
    m['series'] = uid(rng)
    m['frame'] = uid(rng)
    m['explicit'] = bool(rng.random() < 0.6)
    y = int(rng.integers(2012, 2027))
    mo = int(rng.integers(1, 13))
    d = int(rng.integers(1, 29))
    m['date'] = f'{y:04d}{mo:02d}{d:02d}'
    m['time'] = f'{int(rng.integers(7, 20)):02d}{int(rng.integers(0, 60)):02d}{int(rng.integers(0, 60)):02d}'
    m['maker'], m['model'] = [('Aster Imaging', 'Helion 64'), ('Northfield Medical', 'Ventra CT'),
                              ('Kestrel Systems', 'K-Scan 128'), ('Orbis Radiology', 'OrbiCT Flash')][int(rng.integers(0, 4))]
    m['kvp'] = float(rng.choice([80, 100, 110, 120, 120, 130, 140]))
    m['ma'] = int(rng.integers(40, 400))
    m['age'] = int(rng.integers(35, 86))
    return m


def write_slice(path, meta, case_no, k, n, pos, iop, pix, T, spacing, stored, store, c, scan):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = CT_IMAGE
    fm.MediaStorageSOPInstanceUID = meta['sops'][k]
    fm.TransferSyntaxUID = ExplicitVRLittleEndian if meta['explicit'] else ImplicitVRLittleEndian
    fm.ImplementationClassUID = IMPL_UID
    fm.ImplementationVersionName = 'LUCENT_GEN3_1'
    ds = Dataset()
    ds.file_meta = fm
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
    ds.SOPClassUID = CT_IMAGE
    ds.SOPInstanceUID = meta['sops'][k]
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = meta['date']
    ds.StudyTime = ds.SeriesTime = meta['time']
    ds.AccessionNumber = ''
    ds.Modality = 'CT'
    ds.Manufacturer = meta['maker']
    ds.ManufacturerModelName = meta['model']
    ds.ReferringPhysicianName = ''
    ds.StudyDescription = 'CHEST (SYNTHETIC)'
    ds.SeriesDescription = f'Synthetic chest {T:.2g}mm {scan.kind}'
    ds.PatientName = f'Synthetic^Gen3 {case_no:04d}'
    ds.PatientID = f'G3-{case_no:04d}'
    ds.PatientBirthDate = ''
    ds.PatientSex = 'F' if c['female'] else 'M'
    ds.PatientAge = f"{meta['age']:03d}Y"
    ds.BodyPartExamined = 'CHEST'
    ds.SliceThickness = f'{T:.3g}'
    ds.SpacingBetweenSlices = f'{spacing:.4g}'
    ds.KVP = f"{meta['kvp']:.0f}"
    ds.DataCollectionDiameter = '500'
    ds.ReconstructionDiameter = f'{pix * store["N"]:.2f}'
    ds.GantryDetectorTilt = '0'
    ds.TableHeight = f'{store["table_height"]:.1f}'
    ds.XRayTubeCurrent = meta['ma']
    ds.ConvolutionKernel = store['kernel_name']
    ds.PatientPosition = store['position']
    ds.StudyInstanceUID = meta['study']
    ds.SeriesInstanceUID = meta['series']
    ds.StudyID = '1'
    ds.SeriesNumber = store['series_no']
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = store['instance'][k]
    ds.ImagePositionPatient = [f'{v:.4f}' for v in pos]
    ds.ImageOrientationPatient = [f'{v:.0f}' for v in iop]
    ds.FrameOfReferenceUID = meta['frame']
    ds.PositionReferenceIndicator = ''
    ds.SliceLocation = f'{pos[2]:.4f}'
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.Rows = store['N']
    ds.Columns = store['N']
    ds.PixelSpacing = [f'{pix:.6f}', f'{pix:.6f}']
    ds.BitsAllocated = 16
    ds.BitsStored = store['bits']
    ds.HighBit = store['bits'] - 1
    ds.PixelRepresentation = 1 if store['signed'] else 0
    if store['padding'] is not None:
        ds.add_new(0x00280120, 'SS' if store['signed'] else 'US', int(store['padding']))
    ds.WindowCenter = '-600'
    ds.WindowWidth = '1500'
    ds.RescaleIntercept = f"{store['intercept']:.0f}"
    ds.RescaleSlope = '1'
    ds.RescaleType = 'HU'
    arr = stored.astype('<i2' if store['signed'] else '<u2')
    ds.PixelData = arr.tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = not meta['explicit']
    ds.save_as(path, write_like_original=False)
