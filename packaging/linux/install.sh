#!/bin/sh
# Install chatsum for the current user, from the unpacked release folder:
#   ./install.sh            put the app in ~/.local/opt/chatsum, add it to the menu,
#                           and link `chatsum` / `chatsum-app` into ~/.local/bin
#   ./install.sh --remove   undo that (your chats and models stay in your data folder)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/chatsum"
bin="$HOME/.local/bin"
desktop="$prefix/applications/chatsum.desktop"
icon="$prefix/icons/hicolor/256x256/apps/chatsum.png"

if [ "${1:-}" = "--remove" ]; then
    rm -rf "$opt" "$desktop" "$icon" "$bin/chatsum" "$bin/chatsum-app"
    echo "chatsum removed. Your data folder was left alone (see \`chatsum --help\`, --home)."
    exit 0
fi

mkdir -p "$opt" "$bin" "$(dirname "$desktop")" "$(dirname "$icon")"
rm -rf "$opt"
cp -a "$here/chatsum" "$opt"
ln -sf "$opt/chatsum" "$bin/chatsum"
ln -sf "$opt/chatsum-app" "$bin/chatsum-app"
cp "$here/chatsum.png" "$icon"
sed "s|^Exec=chatsum-app|Exec=\"$opt/chatsum-app\"|" "$here/chatsum.desktop" > "$desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$prefix/applications" || true
echo "chatsum installed in $opt."
echo "Start it from your applications menu, or run: $bin/chatsum-app"
case ":$PATH:" in *":$bin:"*) ;; *) echo "(add $bin to PATH to type \`chatsum\` in a terminal)";; esac
