import java.util.*;
import java.io.*;
public class Gen {
  static PrintWriter w;
  static void d(double x){ if(!Double.isNaN(x)) w.println("d " + Long.toHexString(Double.doubleToRawLongBits(x)) + " " + Double.toString(x)); }
  static void f(float x){ if(!Float.isNaN(x)) w.println("f " + Integer.toHexString(Float.floatToRawIntBits(x)) + " " + Float.toString(x)); }
  public static void main(String[] a) throws Exception {
    Random r = new Random(7);
    w = new PrintWriter(new BufferedWriter(new FileWriter(a[0])));
    for (int e = -1074; e <= 1023; e++) { double p = Math.scalb(1.0, e); d(p); d(Math.nextUp(p)); d(Math.nextDown(p)); d(p*3); }
    for (int e = -149; e <= 127; e++) { float p = Math.scalb(1.0f, e); f(p); f(Math.nextUp(p)); f(Math.nextDown(p)); f(p*3); }
    for (int e = -325; e <= 308; e++) for (int k = 1; k <= 20; k++) { double p = Double.parseDouble(k + "e" + e); d(p); d(Math.nextUp(p)); d(Math.nextDown(p)); f((float)p); }
    for (int i = 0; i < 300000; i++) { d(i); f(i); d(i/10.0); d(i/100.0); f(i/100f); d(i*0.1); }
    for (int i = 0; i < 500000; i++) {
      d(Double.longBitsToDouble(r.nextLong() & 0x000fffffffffffffL)); // subnormal
      f(Float.intBitsToFloat(r.nextInt() & 0x007fffff));
      d((double)r.nextLong()); d((double)(r.nextLong() >>> r.nextInt(64)));
      f((float)(r.nextLong() >>> r.nextInt(64)));
      int nd = 1 + r.nextInt(17); StringBuilder sb = new StringBuilder();
      for (int k = 0; k < nd; k++) sb.append((char)('0' + r.nextInt(10)));
      String s = sb.toString() + "e" + (r.nextInt(640) - 330);
      double x = Double.parseDouble(s); d(x); f((float)x);
      d(Double.longBitsToDouble(r.nextLong() & 0x7fffffffffffffffL));
      f(Float.intBitsToFloat(r.nextInt() & 0x7fffffff));
      d(r.nextInt(100000) / 1000.0 + r.nextInt(1000) / 1e6);
    }
    w.close();
  }
}
