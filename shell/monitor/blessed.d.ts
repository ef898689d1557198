// blessed and the blessed-contrib widgets the dashboard uses ship no types.
declare module 'blessed';
declare module 'blessed-contrib/lib/*';
