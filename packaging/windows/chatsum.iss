; Inno Setup script: a per-user (or, if chosen, all-users) installer for Windows,
; wrapping the folder PyInstaller made with packaging/chatsum.spec.
;
; Build on Windows (Inno Setup 6, `iscc` on PATH), from the repository root:
;     make install            (or the same steps by hand, see docs/INSTALL.md)
;     .venv\Scripts\python packaging\build.py
; build.py runs this script when `iscc` is found; by hand:
;     iscc /DAppVersion=0.1.0 packaging\windows\chatsum.iss
; The result is dist\chatsum-<version>-windows-x86_64-setup.exe.
; Not built or tested in this repository's CI (Linux only); see docs/PACKAGING.md.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Root "..\.."

[Setup]
AppId={{6B0C7E4C-2C55-4E8E-9E3B-1B7F0C2B9A41}
AppName=chatsum
AppVersion={#AppVersion}
AppPublisher=chatsum
AppComments=Summaries and answers over your exported group chats, on your own computer
DefaultDirName={autopf}\chatsum
DefaultGroupName=chatsum
DisableProgramGroupPage=yes
; Installs without administrator rights by default; the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename=chatsum-{#AppVersion}-windows-x86_64-setup
SetupIconFile={#Root}\build\icons\chatsum.ico
UninstallDisplayIcon={app}\chatsum-app.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
#ifexist AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl"
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder app: chatsum-app.exe (the window), chatsum.exe (the command
; line) and _internal\ (Python, Qt, llama.cpp, Chroma, resources).
Source: "{#Root}\dist\chatsum\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\chatsum"; Filename: "{app}\chatsum-app.exe"
Name: "{autodesktop}\chatsum"; Filename: "{app}\chatsum-app.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\chatsum-app.exe"; Description: "{cm:LaunchProgram,chatsum}"; Flags: nowait postinstall skipifsilent

; Uninstalling removes the program only: the archive, index and models stay in
; %LOCALAPPDATA%\chatsum (or CHATSUM_HOME), so a reinstall finds them again.
