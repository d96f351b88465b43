// Jest `setupFiles` entry: copy every log line of every test file to the capture directory (see log-capture.ts).
import { installLogCapture } from './log-capture.ts';

installLogCapture();
