/**
 * DICOM PS3.15 Annex E, Table E.1-1 (Application Level Confidentiality Profile Attributes, DICOM 2024b):
 * every attribute the table names with a single tag, its VR (PS3.6) and its action in the Basic
 * Application Level Confidentiality Profile column. Group patterns (Curve Data 50xx, Overlay Data and
 * Comments 60xx, private attributes) are handled in `profile.ts`, not here.
 *
 * One row per attribute: `TAG ACTION VR Keyword [FLAGS]`, where ACTION is the Basic Profile code
 * (X remove, Z zero-length, D dummy value, U replace UID consistently, or a combination such as X/Z/D)
 * and FLAGS hold the option columns Lucent implements:
 * - `L`: Retain Longitudinal Temporal Information (Full Dates: K; Modified Dates: C)
 * - `R`: Retain UIDs (K)
 *
 * Data only; the test in deidentify.test.ts checks the rows parse and tags are unique.
 */
export const TABLE_E1_1 = `
00020003 U UI MediaStorageSOPInstanceUID R
00041511 U UI ReferencedSOPInstanceUIDInFile R
00080012 X/D DA InstanceCreationDate L
00080013 X/Z/D TM InstanceCreationTime L
00080014 U UI InstanceCreatorUID R
00080015 X DT InstanceCoercionDateTime L
00080017 U UI AcquisitionUID R
00080018 U UI SOPInstanceUID R
00080019 U UI PyramidUID R
00080020 Z DA StudyDate L
00080021 X/D DA SeriesDate L
00080022 X/Z DA AcquisitionDate L
00080023 Z/D DA ContentDate L
00080024 X DA OverlayDate L
00080025 X DA CurveDate L
0008002A X/Z/D DT AcquisitionDateTime L
00080030 Z TM StudyTime L
00080031 X/D TM SeriesTime L
00080032 X/Z TM AcquisitionTime L
00080033 Z/D TM ContentTime L
00080034 X TM OverlayTime L
00080035 X TM CurveTime L
00080050 Z SH AccessionNumber
00080054 X AE RetrieveAETitle
00080055 X AE StationAETitle
00080058 U UI FailedSOPInstanceUIDList R
00080080 X/Z/D LO InstitutionName
00080081 X ST InstitutionAddress
00080082 X/Z/D SQ InstitutionCodeSequence
00080090 Z PN ReferringPhysicianName
00080092 X ST ReferringPhysicianAddress
00080094 X SH ReferringPhysicianTelephoneNumbers
00080096 X SQ ReferringPhysicianIdentificationSequence
0008009C Z PN ConsultingPhysicianName
0008009D X SQ ConsultingPhysicianIdentificationSequence
00080106 D DT ContextGroupVersion L
00080107 D DT ContextGroupLocalVersion L
00080201 X SH TimezoneOffsetFromUTC L
00081000 X AE NetworkID
00081010 X/Z/D SH StationName
00081030 X LO StudyDescription
0008103E X LO SeriesDescription
00081040 X LO InstitutionalDepartmentName
00081041 X SQ InstitutionalDepartmentTypeCodeSequence
00081048 X PN PhysiciansOfRecord
00081049 X SQ PhysiciansOfRecordIdentificationSequence
00081050 X PN PerformingPhysicianName
00081052 X SQ PerformingPhysicianIdentificationSequence
00081060 X PN NameOfPhysiciansReadingStudy
00081062 X SQ PhysiciansReadingStudyIdentificationSequence
00081070 X/Z/D PN OperatorsName
00081072 X/D SQ OperatorIdentificationSequence
00081080 X LO AdmittingDiagnosesDescription
00081084 X SQ AdmittingDiagnosesCodeSequence
00081088 X LO PyramidDescription
00081110 X/Z SQ ReferencedStudySequence R
00081111 X/Z/D SQ ReferencedPerformedProcedureStepSequence R
00081120 X SQ ReferencedPatientSequence R
00081140 X/Z/U* SQ ReferencedImageSequence R
00081155 U UI ReferencedSOPInstanceUID R
00081195 U UI TransactionUID R
00082111 X ST DerivationDescription
00082112 X/Z/U* SQ SourceImageSequence R
00083010 U UI IrradiationEventUID R
00084000 X LT IdentifyingComments
00100010 Z PN PatientName
00100020 Z/D LO PatientID
00100021 X LO IssuerOfPatientID
00100030 Z DA PatientBirthDate
00100032 X TM PatientBirthTime
00100040 Z CS PatientSex
00100050 X SQ PatientInsurancePlanCodeSequence
00100101 X SQ PatientPrimaryLanguageCodeSequence
00100102 X SQ PatientPrimaryLanguageModifierCodeSequence
00101000 X LO OtherPatientIDs
00101001 X PN OtherPatientNames
00101002 X SQ OtherPatientIDsSequence
00101005 X PN PatientBirthName
00101010 X AS PatientAge
00101020 X DS PatientSize
00101030 X DS PatientWeight
00101040 X LO PatientAddress
00101050 X LO InsurancePlanIdentification
00101060 X PN PatientMotherBirthName
00101080 X LO MilitaryRank
00101081 X LO BranchOfService
00101090 X LO MedicalRecordLocator
00101100 X SQ ReferencedPatientPhotoSequence
00102000 X LO MedicalAlerts
00102110 X LO Allergies
00102150 X LO CountryOfResidence
00102152 X LO RegionOfResidence
00102154 X SH PatientTelephoneNumbers
00102155 X LT PatientTelecomInformation
00102160 X SH EthnicGroup
00102180 X SH Occupation
001021A0 X CS SmokingStatus
001021B0 X LT AdditionalPatientHistory
001021C0 X US PregnancyStatus
001021D0 X DA LastMenstrualDate L
001021F0 X LO PatientReligiousPreference
00102203 X/Z CS PatientSexNeutered
00102297 X PN ResponsiblePerson
00102299 X LO ResponsibleOrganization
00104000 X LT PatientComments
00120010 D LO ClinicalTrialSponsorName
00120020 D LO ClinicalTrialProtocolID
00120021 Z LO ClinicalTrialProtocolName
00120022 X LO IssuerOfClinicalTrialProtocolID
00120023 X SQ OtherClinicalTrialProtocolIDsSequence
00120030 Z LO ClinicalTrialSiteID
00120031 Z LO ClinicalTrialSiteName
00120032 X LO IssuerOfClinicalTrialSiteID
00120040 D LO ClinicalTrialSubjectID
00120041 X LO IssuerOfClinicalTrialSubjectID
00120042 D LO ClinicalTrialSubjectReadingID
00120043 X LO IssuerOfClinicalTrialSubjectReadingID
00120050 Z LO ClinicalTrialTimePointID
00120051 X ST ClinicalTrialTimePointDescription
00120055 X LO IssuerOfClinicalTrialTimePointID
00120060 Z LO ClinicalTrialCoordinatingCenterName
00120071 X LO ClinicalTrialSeriesID
00120072 X LO ClinicalTrialSeriesDescription
00120073 X LO IssuerOfClinicalTrialSeriesID
00120081 D LO ClinicalTrialProtocolEthicsCommitteeName
00120082 X LO ClinicalTrialProtocolEthicsCommitteeApprovalNumber
00120086 X DA EthicsCommitteeApprovalEffectivenessStartDate L
00120087 X DA EthicsCommitteeApprovalEffectivenessEndDate L
0014407C X TM CalibrationTime L
0014407E X DA CalibrationDate L
0016002B X OB MakerNote
0016004B X OB DeviceSettingDescription
0016004D X UT CameraOwnerName
0016004E X DS LensSpecification
0016004F X UT LensMake
00160050 X UT LensModel
00160051 X UT LensSerialNumber
00160070 X OB GPSVersionID
00160071 X CS GPSLatitudeRef
00160072 X DS GPSLatitude
00160073 X CS GPSLongitudeRef
00160074 X DS GPSLongitude
00160075 X US GPSAltitudeRef
00160076 X DS GPSAltitude
00160077 X DT GPSTimeStamp
00160078 X UT GPSSatellites
00160079 X CS GPSStatus
0016007A X CS GPSMeasureMode
0016007B X DS GPSDOP
0016007C X CS GPSSpeedRef
0016007D X DS GPSSpeed
0016007E X CS GPSTrackRef
0016007F X DS GPSTrack
00160080 X CS GPSImgDirectionRef
00160081 X DS GPSImgDirection
00160082 X UT GPSMapDatum
00160083 X CS GPSDestLatitudeRef
00160084 X DS GPSDestLatitude
00160085 X CS GPSDestLongitudeRef
00160086 X DS GPSDestLongitude
00160087 X CS GPSDestBearingRef
00160088 X DS GPSDestBearing
00160089 X CS GPSDestDistanceRef
0016008A X DS GPSDestDistance
0016008B X OB GPSProcessingMethod
0016008C X OB GPSAreaInformation
0016008D X DT GPSDateStamp L
0016008E X IS GPSDifferential
00180010 Z/D LO ContrastBolusAgent
00180027 X TM InterventionDrugStopTime L
00180035 X TM InterventionDrugStartTime L
00181000 X/Z/D LO DeviceSerialNumber
00181002 U UI DeviceUID R
00181004 X LO PlateID
00181005 X LO GeneratorID
00181007 X LO CassetteID
00181008 X LO GantryID
00181009 X UT UniqueDeviceIdentifier
0018100A X SQ UDISequence
0018100B U UI ManufacturerDeviceClassUID R
00181012 X DA DateOfSecondaryCapture L
00181014 X TM TimeOfSecondaryCapture L
00181030 X/D LO ProtocolName
00181042 X TM ContrastBolusStartTime L
00181043 X TM ContrastBolusStopTime L
00181072 X TM RadiopharmaceuticalStartTime L
00181073 X TM RadiopharmaceuticalStopTime L
00181078 X DT RadiopharmaceuticalStartDateTime L
00181079 X DT RadiopharmaceuticalStopDateTime L
001811BB D LO AcquisitionFieldOfViewLabel
00181200 X DA DateOfLastCalibration L
00181201 X TM TimeOfLastCalibration L
00181202 X DT DateTimeOfLastCalibration L
00181203 Z DT CalibrationDateTime L
00181204 X DA DateOfManufacture L
00181205 X DA DateOfInstallation L
00181400 X/D LO AcquisitionDeviceProcessingDescription
00182042 U UI TargetUID R
00184000 X LT AcquisitionComments
00185011 X SQ TransducerIdentificationSequence
0018700A X/D SH DetectorID
0018700C X/D DA DateOfLastDetectorCalibration L
0018700E X/D TM TimeOfLastDetectorCalibration L
00189074 D DT FrameAcquisitionDateTime L
00189151 D DT FrameReferenceDateTime L
00189185 X ST RespiratoryMotionCompensationTechniqueDescription
00189367 D UC XRaySourceID
00189369 D DT SourceStartDateTime L
0018936A D DT SourceEndDateTime L
00189371 D UC XRayDetectorID
00189373 X ST XRayDetectorLabel
0018937B X UT MultienergyAcquisitionDescription
0018937F X UT DecompositionDescription
00189424 X LT AcquisitionProtocolDescription
00189516 X/D DT StartAcquisitionDateTime L
00189517 X/D DT EndAcquisitionDateTime L
00189623 D DT FunctionalSyncPulse L
00189701 D DT DecayCorrectionDateTime L
00189804 D DT ExclusionStartDateTime L
00189919 Z/D DT InstructionPerformedDateTime L
00189937 X LO RequestedSeriesDescription
0018A002 X DT ContributionDateTime L
0018A003 X ST ContributionDescription
0020000D U UI StudyInstanceUID R
0020000E U UI SeriesInstanceUID R
00200010 Z SH StudyID
00200027 X LO PyramidLabel
00200052 U UI FrameOfReferenceUID R
00200200 U UI SynchronizationFrameOfReferenceUID R
00203401 X CS ModifyingDeviceID
00203403 X DA ModifiedImageDate L
00203405 X TM ModifiedImageTime L
00203406 X LO ModifiedImageDescription
00204000 X LT ImageComments
00209158 X LT FrameComments
00209161 U UI ConcatenationUID R
00209164 U UI DimensionOrganizationUID R
00281199 U UI PaletteColorLookupTableUID R
00281214 U UI LargePaletteColorLookupTableUID R
00284000 X LT ImagePresentationComments
00320012 X LO StudyIDIssuer
00320032 X DA StudyVerifiedDate L
00320033 X TM StudyVerifiedTime L
00320034 X DA StudyReadDate L
00320035 X TM StudyReadTime L
00321000 X DA ScheduledStudyStartDate L
00321001 X TM ScheduledStudyStartTime L
00321010 X DA ScheduledStudyStopDate L
00321011 X TM ScheduledStudyStopTime L
00321020 X LO ScheduledStudyLocation
00321021 X AE ScheduledStudyLocationAETitle
00321030 X LO ReasonForStudy
00321032 X PN RequestingPhysician
00321033 X LO RequestingService
00321040 X DA StudyArrivalDate L
00321041 X TM StudyArrivalTime L
00321050 X DA StudyCompletionDate L
00321051 X TM StudyCompletionTime L
00321060 X/Z LO RequestedProcedureDescription
00321066 X UT ReasonForVisit
00321067 X SQ ReasonForVisitCodeSequence
00321070 X LO RequestedContrastAgent
00324000 X LT StudyComments
00340001 D SQ FlowIdentifierSequence
00340002 D OB FlowIdentifier
00340005 D OB SourceIdentifier
00340007 D OB FrameOriginTimestamp L
00380004 X SQ ReferencedPatientAliasSequence
00380010 X LO AdmissionID
00380011 X LO IssuerOfAdmissionID
00380014 X SQ IssuerOfAdmissionIDSequence
0038001A X DA ScheduledAdmissionDate L
0038001B X TM ScheduledAdmissionTime L
0038001C X DA ScheduledDischargeDate L
0038001D X TM ScheduledDischargeTime L
0038001E X LO ScheduledPatientInstitutionResidence
00380020 X DA AdmittingDate L
00380021 X TM AdmittingTime L
00380030 X DA DischargeDate L
00380032 X TM DischargeTime L
00380040 X LO DischargeDiagnosisDescription
00380050 X LO SpecialNeeds
00380060 X LO ServiceEpisodeID
00380061 X LO IssuerOfServiceEpisodeID
00380062 X LO ServiceEpisodeDescription
00380064 X SQ IssuerOfServiceEpisodeIDSequence
00380300 X LO CurrentPatientLocation
00380400 X LO PatientInstitutionResidence
00380500 X LO PatientState
00384000 X LT VisitComments
003A0310 U UI MultiplexGroupUID R
003A0314 D DT ImpedanceMeasurementDateTime L
003A0329 X ST WaveformFilterDescription
003A032B X ST FilterLookupTableDescription
00400001 X AE ScheduledStationAETitle
00400002 X DA ScheduledProcedureStepStartDate L
00400003 X TM ScheduledProcedureStepStartTime L
00400004 X DA ScheduledProcedureStepEndDate L
00400005 X TM ScheduledProcedureStepEndTime L
00400006 X PN ScheduledPerformingPhysicianName
00400007 X LO ScheduledProcedureStepDescription
00400009 X SH ScheduledProcedureStepID
0040000B X SQ ScheduledPerformingPhysicianIdentificationSequence
00400010 X SH ScheduledStationName
00400011 X SH ScheduledProcedureStepLocation
00400012 X LO PreMedication
00400241 X AE PerformedStationAETitle
00400242 X SH PerformedStationName
00400243 X SH PerformedLocation
00400244 X DA PerformedProcedureStepStartDate L
00400245 X TM PerformedProcedureStepStartTime L
00400250 X DA PerformedProcedureStepEndDate L
00400251 X TM PerformedProcedureStepEndTime L
00400253 X SH PerformedProcedureStepID
00400254 X LO PerformedProcedureStepDescription
00400275 X SQ RequestAttributesSequence
00400280 X ST CommentsOnThePerformedProcedureStep
00400310 X ST CommentsOnRadiationDose
0040050A X LO SpecimenAccessionNumber
00400512 D LO ContainerIdentifier
00400513 Z SQ IssuerOfTheContainerIdentifierSequence
0040051A X LO ContainerDescription
00400551 D LO SpecimenIdentifier
00400554 U UI SpecimenUID R
00400555 X/Z SQ AcquisitionContextSequence
00400562 Z SQ IssuerOfTheSpecimenIdentifierSequence
00400600 X LO SpecimenShortDescription
00400602 X UT SpecimenDetailedDescription
00400610 Z SQ SpecimenPreparationSequence
004006FA X LO SlideIdentifier
00401001 X SH RequestedProcedureID
00401002 X LO ReasonForTheRequestedProcedure
00401004 X LO PatientTransportArrangements
00401005 X LO RequestedProcedureLocation
0040100A X SQ ReasonForRequestedProcedureCodeSequence
00401010 X PN NamesOfIntendedRecipientsOfResults
00401011 X SQ IntendedRecipientsOfResultsIdentificationSequence
00401101 D SQ PersonIdentificationCodeSequence
00401102 X ST PersonAddress
00401103 X LO PersonTelephoneNumbers
00401104 X LT PersonTelecomInformation
00401400 X LT RequestedProcedureComments
00402001 X LO ReasonForTheImagingServiceRequest
00402004 X DA IssueDateOfImagingServiceRequest L
00402005 X TM IssueTimeOfImagingServiceRequest L
00402008 X PN OrderEnteredBy
00402009 X SH OrderEntererLocation
00402010 X SH OrderCallbackPhoneNumber
00402011 X LT OrderCallbackTelecomInformation
00402016 Z LO PlacerOrderNumberImagingServiceRequest
00402017 Z LO FillerOrderNumberImagingServiceRequest
00402400 X LT ImagingServiceRequestComments
00403001 X LO ConfidentialityConstraintOnPatientDataDescription
00404005 X DT ScheduledProcedureStepStartDateTime L
00404008 X DT ScheduledProcedureStepExpirationDateTime L
00404010 X DT ScheduledProcedureStepModificationDateTime L
00404011 X DT ExpectedCompletionDateTime L
00404023 U UI ReferencedGeneralPurposeScheduledProcedureStepTransactionUID R
00404025 X SQ ScheduledStationNameCodeSequence
00404027 X SQ ScheduledStationGeographicLocationCodeSequence
00404028 X SQ PerformedStationNameCodeSequence
00404030 X SQ PerformedStationGeographicLocationCodeSequence
00404034 X SQ ScheduledHumanPerformersSequence
00404035 X SQ ActualHumanPerformersSequence
00404036 X LO HumanPerformerOrganization
00404037 X PN HumanPerformerName
00404050 X DT PerformedProcedureStepStartDateTime L
00404051 X DT PerformedProcedureStepEndDateTime L
00404052 X DT ProcedureStepCancellationDateTime L
0040A023 X DA FindingsGroupRecordingDateTrial L
0040A024 X TM FindingsGroupRecordingTimeTrial L
0040A027 D LO VerifyingOrganization
0040A030 D DT VerificationDateTime L
0040A032 X/D DT ObservationDateTime L
0040A033 X DT ObservationStartDateTime L
0040A073 D SQ VerifyingObserverSequence
0040A075 D PN VerifyingObserverName
0040A078 X SQ AuthorObserverSequence
0040A07A X SQ ParticipantSequence
0040A07C X SQ CustodialOrganizationSequence
0040A082 Z DT ParticipationDateTime L
0040A088 Z SQ VerifyingObserverIdentificationCodeSequence
0040A110 X DA DateOfDocumentOrVerbalTransactionTrial L
0040A112 X TM TimeOfDocumentCreationOrVerbalTransactionTrial L
0040A120 D DT DateTime L
0040A121 D DA Date L
0040A122 D TM Time L
0040A123 D PN PersonName
0040A124 U UI UID
0040A13A D DT ReferencedDateTime L
0040A171 U UI ObservationUID R
0040A172 U UI ReferencedObservationUIDTrial R
0040A192 X DA ObservationDateTrial L
0040A193 X TM ObservationTimeTrial L
0040A307 X PN CurrentObserverTrial
0040A352 X PN VerbalSourceTrial
0040A353 X ST AddressTrial
0040A354 X LO TelephoneNumberTrial
0040A358 X SQ VerbalSourceIdentifierCodeSequenceTrial
0040A402 U UI ObservationSubjectUIDTrial R
0040A730 D SQ ContentSequence
0040DB06 X DT TemplateVersion L
0040DB07 X DT TemplateLocalVersion L
0040DB0C U UI TemplateExtensionOrganizationUID R
0040DB0D U UI TemplateExtensionCreatorUID R
0040E004 X DT HL7DocumentEffectiveTime L
00420011 D OB EncapsulatedDocument
00440004 X DT ApprovalStatusDateTime L
0044000B X DT ProductExpirationDateTime L
00440010 X DT SubstanceAdministrationDateTime L
00440104 D DT AssertionDateTime L
00440105 X DT AssertionExpirationDateTime L
0050001B X LO ContainerComponentID
00500020 X LO DeviceDescription
00500021 X ST LongDeviceDescription
00620021 U UI TrackingUID R
00640003 U UI SourceFrameOfReferenceUID R
00686226 D DT EffectiveDateTime L
00686270 D DT InformationIssueDateTime L
006A0003 D UI AnnotationGroupUID R
006A0005 D LO AnnotationGroupLabel
006A0006 X UT AnnotationGroupDescription
00700001 D SQ GraphicAnnotationSequence
00700082 X DA PresentationCreationDate L
00700083 X TM PresentationCreationTime L
00700084 Z/D PN ContentCreatorName
00700086 X SQ ContentCreatorIdentificationCodeSequence
0070031A U UI FiducialUID R
00701101 U UI PresentationDisplayCollectionUID R
00701102 U UI PresentationSequenceCollectionUID R
0072000A D DT HangingProtocolCreationDateTime L
0072005E D AE SelectorAEValue
0072005F D AS SelectorASValue
00720061 D DA SelectorDAValue L
00720063 D DT SelectorDTValue L
00720065 D OB SelectorOBValue
00720066 D LO SelectorLOValue
00720068 D LT SelectorLTValue
0072006A D PN SelectorPNValue
0072006B D TM SelectorTMValue L
0072006C D SH SelectorSHValue
0072006D D UN SelectorUNValue
0072006E D ST SelectorSTValue
00720070 D UT SelectorUTValue
00720071 D UR SelectorURValue
00741234 X AE ReceivingAE
00741236 X AE RequestingAE
00880140 U UI StorageMediaFileSetUID R
00880200 X SQ IconImageSequence
00880904 X LO TopicTitle
00880906 X ST TopicSubject
00880910 X LO TopicAuthor
00880912 X LO TopicKeywords
01000420 X DT SOPAuthorizationDateTime L
04000100 U UI DigitalSignatureUID
04000105 D DT DigitalSignatureDateTime L
04000115 D OB CertificateOfSigner
04000310 X OB CertifiedTimestamp L
04000402 X SQ ReferencedDigitalSignatureSequence
04000403 X SQ ReferencedSOPInstanceMACSequence
04000404 X OB MAC
04000550 X SQ ModifiedAttributesSequence
04000551 X SQ NonconformingModifiedAttributesSequence
04000552 X OB NonconformingDataElementValue
04000561 X SQ OriginalAttributesSequence
04000562 D DT AttributeModificationDateTime L
04000563 D LO ModifyingSystem
04000564 Z LO SourceOfPreviousValues
04000565 D CS ReasonForTheAttributeModification
04000600 X CS InstanceOriginStatus
20300020 X LO TextString
21000040 X DA CreationDate L
21000050 X TM CreationTime L
21000070 X AE Originator
21000140 D AE DestinationAE
22000002 X/Z UT LabelText
22000005 X/Z LT BarcodeValue
30020121 X LO PositionAcquisitionTemplateName
30020123 X LT PositionAcquisitionTemplateDescription
30060002 D SH StructureSetLabel
30060004 X LO StructureSetName
30060006 X ST StructureSetDescription
30060008 Z DA StructureSetDate L
30060009 Z TM StructureSetTime L
30060024 U UI ReferencedFrameOfReferenceUID R
30060026 Z LO ROIName
30060028 X ST ROIDescription
3006002D X DT ROIDateTime L
3006002E X DT ROIObservationDateTime L
30060038 X LO ROIGenerationDescription
3006004D X SQ ROICreatorSequence
3006004E X SQ ROIInterpreterSequence
30060085 X SH ROIObservationLabel
30060088 X ST ROIObservationDescription
300600A6 Z PN ROIInterpreter
300600C2 U UI RelatedFrameOfReferenceUID R
30080024 D DA TreatmentControlPointDate L
30080025 D TM TreatmentControlPointTime L
30080054 X/D DA FirstTreatmentDate L
30080056 X/D DA MostRecentTreatmentDate L
30080105 X/Z LO SourceSerialNumber
30080162 D DA SafePositionExitDate L
30080164 D TM SafePositionExitTime L
30080166 D DA SafePositionReturnDate L
30080168 D TM SafePositionReturnTime L
30080250 X/D DA TreatmentDate L
30080251 X/D TM TreatmentTime L
300A0002 D SH RTPlanLabel
300A0003 X LO RTPlanName
300A0004 X ST RTPlanDescription
300A0006 X/D DA RTPlanDate L
300A0007 X/D TM RTPlanTime L
300A000B X LO TreatmentSites
300A000E X ST PrescriptionDescription
300A0013 U UI DoseReferenceUID R
300A0016 X LO DoseReferenceDescription
300A0072 X LO FractionGroupDescription
300A0083 U UI ReferencedDoseReferenceUID R
300A00B2 X/Z SH TreatmentMachineName
300A00C3 X ST BeamDescription
300A00DD X ST BolusDescription
300A0196 X ST FixationDeviceDescription
300A01A6 X ST ShieldingDeviceDescription
300A01B2 X ST SetupTechniqueDescription
300A0216 X LO SourceManufacturer
300A022C D DA SourceStrengthReferenceDate L
300A022E D TM SourceStrengthReferenceTime L
300A02EB X LT CompensatorDescription
300A0608 D LO TreatmentPositionGroupLabel
300A0609 U UI TreatmentPositionGroupUID R
300A0611 Z LO RTAccessoryHolderSlotID
300A0615 Z LO RTAccessoryDeviceSlotID
300A0619 D LO RadiationDoseIdentificationLabel
300A0623 D LO RadiationDoseInVivoMeasurementLabel
300A062A D LO RTToleranceSetLabel
300A0650 U UI PatientSetupUID R
300A0676 X ST EquipmentFrameOfReferenceDescription
300A067C D SH RadiationGenerationModeLabel
300A067D Z ST RadiationGenerationModeDescription
300A0700 U UI TreatmentSessionUID R
300A0734 D ST TreatmentToleranceViolationDescription
300A0736 D DT TreatmentToleranceViolationDateTime L
300A073A D DT RecordedRTControlPointDateTime L
300A0741 D DT InterlockDateTime L
300A0742 D ST InterlockDescription
300A0760 D DT OverrideDateTime L
300A0783 D ST InterlockOriginDescription
300A0785 U UI ReferencedTreatmentPositionGroupUID R
300A078E X LT PatientTreatmentPreparationProcedureParameterDescription
300A0792 X LT PatientTreatmentPreparationMethodDescription
300A0794 X LT PatientSetupPhotoDescription
300A079A X LO DisplacementReferenceLabel
300C0113 X LO ReasonForOmissionDescription
300C0127 D DT BeamHoldTransitionDateTime L
300E0004 Z DA ReviewDate L
300E0005 Z TM ReviewTime L
300E0008 X/Z PN ReviewerName
30100006 U UI ConceptualVolumeUID R
3010000B U UI ReferencedConceptualVolumeUID R
3010000F Z ST ConceptualVolumeCombinationDescription
30100013 U UI ConstituentConceptualVolumeUID R
30100015 U UI SourceConceptualVolumeUID R
30100017 Z ST ConceptualVolumeDescription
3010001B Z UC DeviceAlternateIdentifier
3010002D D LO DeviceLabel
30100031 U UI ReferencedFiducialsUID R
30100033 D SH UserContentLabel
30100034 D LO UserContentLongLabel
30100035 D SH EntityLabel
30100036 X LO EntityName
30100037 X ST EntityDescription
30100038 D LO EntityLongLabel
3010003B U UI RTTreatmentPhaseUID R
30100043 Z ST ManufacturerDeviceIdentifier
3010004C X/D DA IntendedPhaseStartDate L
3010004D X/D DA IntendedPhaseEndDate L
30100054 D LO RTPrescriptionLabel
30100056 X/D LO RTTreatmentApproachLabel
3010005A Z UT RTPhysicianIntentNarrative
3010005C Z ST ReasonForSuperseding
30100061 X UT PriorTreatmentDoseDescription
3010006E U UI DosimetricObjectiveUID R
3010006F U UI ReferencedDosimetricObjectiveUID R
30100077 X/D LO TreatmentSite
3010007A Z UT TreatmentTechniqueNotes
3010007B Z UT PrescriptionNotes
3010007F Z UT FractionationNotes
30100081 Z SQ PrescriptionNotesSequence
30100085 X TM IntendedFractionStartTime L
40000010 X LT Arbitrary
40004000 X LT TextComments
40080040 X SH ResultsID
40080042 X LO ResultsIDIssuer
40080100 X DA InterpretationRecordedDate L
40080101 X TM InterpretationRecordedTime L
40080102 X PN InterpretationRecorder
40080108 X DA InterpretationTranscriptionDate L
40080109 X TM InterpretationTranscriptionTime L
4008010A X PN InterpretationTranscriber
4008010B X ST InterpretationText
4008010C X PN InterpretationAuthor
40080111 X SQ InterpretationApproverSequence
40080112 X DA InterpretationApprovalDate L
40080113 X TM InterpretationApprovalTime L
40080114 X PN PhysicianApprovingInterpretation
40080115 X LT InterpretationDiagnosisDescription
40080118 X SQ ResultsDistributionListSequence
40080119 X PN DistributionName
4008011A X LO DistributionAddress
40080200 X SH InterpretationID
40080202 X LO InterpretationIDIssuer
40080300 X ST Impressions
40084000 X ST ResultsComments
FFFAFFFA X SQ DigitalSignaturesSequence
FFFCFFFC X OB DataSetTrailingPadding`;
