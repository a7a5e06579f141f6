; Inno Setup script for FrontDesk on Windows: a per-machine install of the PyInstaller onedir bundle.
;
; Build (on Windows, with Python 3.11+ and Inno Setup 6):
;   1. make dist                      (or: py -m pip install -e .[installer] && pyinstaller installer\frontdesk.spec)
;   2. dist\FrontDesk\frontdesk-cli.exe --self-test     (must print "self-test passed")
;   3. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\frontdesk.iss
;   -> dist\FrontDesk-Setup-0.1.0.exe   (sign it with the district's code-signing certificate before rollout)
; On Linux: `make installer` (installer/build_windows.sh runs this same script through ISCC.exe under Wine, then
; installer/check_windows_install.py installs, upgrades and uninstalls the setup silently under Wine).
;
; Silent install for software deployment (SCCM, Intune, PDQ):   FrontDesk-Setup-0.1.0.exe /VERYSILENT /NORESTART
; Upgrade: run the newer setup; the same AppId replaces the program files in place and never touches data.
; Uninstall keeps each user's data (database, backups, audit anchor) unless the person uninstalling ticks the
; box, or a silent uninstall is given /DELETEDATA. Data and secrets are per Windows user: the database in
; %LOCALAPPDATA%\FrontDesk, its key and the dispatch credential in that user's Credential Manager.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
; The onedir bundle to pack (make dist's output) and where the setup program goes; build_windows.sh passes both.
#ifndef BundleDir
  #define BundleDir "..\dist\FrontDesk"
#endif
; lzma2/max for a release; the installer's test passes a faster one.
#ifndef Compression
  #define Compression "lzma2/max"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
; Never change the AppId: it is what makes a newer setup an upgrade of this one.
AppId={{6C1E3A52-3F0B-4B8E-9E55-5D3C1F0A7B21}
AppName=FrontDesk
AppVersion={#AppVersion}
AppPublisher=FrontDesk
DefaultDirName={autopf}\FrontDesk
DefaultGroupName=FrontDesk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=FrontDesk-Setup-{#AppVersion}
Compression={#Compression}
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\FrontDesk.exe
; Close a running desk before replacing its files (and start it again afterwards for the signed-in user).
CloseApplications=yes
RestartApplications=yes

[Files]
; The whole onedir bundle. "ignoreversion" so an upgrade always replaces every file; stale files of an
; older version are removed by [InstallDelete] below.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; The previous version's program folder content (never the data, which lives in each user's profile).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\FrontDesk"; Filename: "{app}\FrontDesk.exe"
Name: "{group}\FrontDesk self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\frontdesk-cli.exe"" --self-test"
Name: "{group}\Uninstall FrontDesk"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\FrontDesk.exe"; Description: "Start FrontDesk"; Flags: nowait postinstall skipifsilent runasoriginaluser

[Code]
var
  DeleteData: Boolean;

function InitializeUninstall(): Boolean;
begin
  DeleteData := False;
  if UninstallSilent() then
    DeleteData := Pos('/DELETEDATA', Uppercase(GetCmdTail())) > 0
  else
    DeleteData := MsgBox(
      'Also delete FrontDesk''s data for this Windows user (visits, backups, audit trail)?' + #13#10 + #13#10 +
      'Choose No to keep it (the usual choice: a reinstall or upgrade finds it again).',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DeleteData then
    DelTree(ExpandConstant('{localappdata}\FrontDesk'), True, True, True);
end;
